import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startXEmulator, type XEmulator } from '../../emulators/x/x-emulator.js';
import { ApiClient } from '../support/api-client.js';
import { eventually, newAccount, newPost, newWorkspace, type TestWorkspace } from '../support/factories.js';
import { PrivatePostgres, PrivateRedis } from '../support/private-services.js';
import { freePort, HeraldProcess } from '../support/processes.js';
import { testEnvironment } from '../support/test-environment.js';

/**
 * PostgreSQL and Redis going away under running processes. Both servers are this file's own, so
 * stopping them touches nothing else; the apps are the built processes, so a crash would show.
 */
describe('dependency outages', () => {
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  let emulator: XEmulator;
  let workspace: TestWorkspace;
  let account: { id: string };
  let api: ApiClient;
  let worker: HeraldProcess;
  let scheduler: HeraldProcess;
  const processes: HeraldProcess[] = [];

  beforeAll(async () => {
    [postgres, redis, emulator] = await Promise.all([
      PrivatePostgres.start(),
      PrivateRedis.start(),
      startXEmulator({ host: '127.0.0.1' }),
    ]);
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query('CREATE DATABASE herald');
    await admin.end();
    const port = await freePort();
    const environment = {
      ...testEnvironment({
        databaseUrl: postgres.url.replace(/\/postgres$/, '/herald'),
        queuePrefix: 'herald',
        xApiBaseUrl: emulator.url,
      }),
      REDIS_URL: redis.url,
      PORT: String(port),
    };
    processes.push(await HeraldProcess.start('backend', environment));
    [worker, scheduler] = await Promise.all([
      HeraldProcess.start('worker', environment),
      HeraldProcess.start('scheduler', environment),
    ]);
    processes.push(worker, scheduler);
    api = new ApiClient(`http://127.0.0.1:${port}`);
    workspace = await newWorkspace(api);
    account = await newAccount(workspace);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(processes.map((child) => child.kill('SIGKILL')));
    await emulator?.close();
    await redis?.destroy();
    await postgres?.destroy();
  });

  const published = (content: string) => emulator.tweets.filter((tweet) => tweet.text === content);

  /** The tweet lands before the worker records it: wait for the post, not for the tweet. */
  const postPublished = (postId: string) =>
    eventually(
      async () => ((await workspace.api.get(`/v1/posts/${postId}`)).body.status === 'published' ? true : undefined),
      { timeoutMs: 45_000, what: `post ${postId} to be published` },
    );

  /** Proof that an outage has been met, not slept through: the process logged it (from `since` on). */
  const logged = (child: HeraldProcess, pattern: RegExp, since = child.log.length) =>
    child.waitForOutput(pattern, 30_000, since);

  /** Two failed requeue passes from now on: the second began after this moment, and after a failure. */
  async function failedPasses(): Promise<void> {
    await logged(scheduler, /Requeue pass failed, will retry next tick/);
    await logged(scheduler, /Requeue pass failed, will retry next tick/);
  }

  it('answers 503 while PostgreSQL is down, crashes nothing, and resumes when it returns', async () => {
    await postgres.stop();
    try {
      const started = Date.now();
      const list = await workspace.api.get('/v1/posts');
      expect(list.status).toBe(503);
      expect(list.body).toMatchObject({ statusCode: 503, message: expect.stringMatching(/database is unavailable/i) });
      expect(Date.now() - started).toBeLessThan(10_000);
      const ready = await api.get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.details.map((detail: { field: string }) => detail.field)).toContain('postgres');
      expect((await api.get('/health')).status).toBe(200);
      await failedPasses();
    } finally {
      await postgres.resume();
    }
    expect(processes.every((child) => child.alive)).toBe(true);

    await eventually(async () => ((await api.get('/health/ready')).status === 200 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the backend to be ready again',
    });
    const post = await newPost(workspace, { content: 'After the PostgreSQL outage', accountIds: [account.id] });
    await postPublished(post.id);
    expect(published('After the PostgreSQL outage')).toHaveLength(1);
  }, 90_000);

  it('keeps accepting posts while Redis is down, and publishes them once it is back, without restarts', async () => {
    const workerLogSince = worker.log.length;
    await redis.stop();
    let postId: string;
    try {
      const started = Date.now();
      const response = await workspace.api.post('/v1/posts', {
        content: 'Across a Redis outage',
        accountIds: [account.id],
      });
      expect(response.status).toBe(201);
      // Redis calls give up after one second instead of waiting for Redis; generous for a loaded machine.
      expect(Date.now() - started).toBeLessThan(10_000);
      postId = response.body.id;
      const ready = await api.get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.details.map((detail: { field: string }) => detail.field)).toEqual(['redis']);
      // The worker lost its queue, and a scheduler pass begun after the post was saved could not enqueue it.
      await logged(worker, /Queue connection:/, workerLogSince);
      await failedPasses();
      expect(published('Across a Redis outage')).toHaveLength(0);
    } finally {
      await redis.resume();
    }
    await postPublished(postId);
    expect(published('Across a Redis outage')).toHaveLength(1);
    expect(processes.every((child) => child.alive)).toBe(true);
  }, 90_000);
});
