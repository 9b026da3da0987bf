import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startXEmulator, type XEmulator } from '../../emulators/x/x-emulator.js';
import { ApiClient } from '../support/api-client.js';
import { eventually, newAccount, newPost, newWorkspace, type TestWorkspace } from '../support/factories.js';
import { WRONG_OUTCOME_EVENTS } from '../support/outbox-check.js';
import { freePort, HeraldProcess } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testEnvironment } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';
import { createSelfSignedCertificate, type SelfSignedCertificate } from '../support/tls.js';
import { DataSource } from 'typeorm';

/**
 * The three apps as separate OS processes (built with `npm run build`), against an HTTPS X emulator
 * whose self-signed certificate they trust through NODE_EXTRA_CA_CERTS, as production would.
 */
describe('end to end: backend, workers and scheduler as separate processes', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let certificate: SelfSignedCertificate;
  let emulator: XEmulator;
  let environment: Record<string, string>;
  let sql: DataSource;
  let workspace: TestWorkspace;
  const processes: HeraldProcess[] = [];

  const start = async (app: 'backend' | 'worker' | 'scheduler', extra: Record<string, string> = {}) => {
    const started = await HeraldProcess.start(app, { ...environment, ...extra });
    processes.push(started);
    return started;
  };

  const tweetsWith = (text: string) => emulator.tweets.filter((tweet) => tweet.text === text);

  /**
   * Proof that the workers are past this moment, for checks that something did not happen: a post
   * due now, queued behind every job already due, has been published.
   */
  async function witnessPublished(): Promise<void> {
    const witness = await newAccount(workspace);
    const post = await newPost(workspace, { accountIds: [witness.id] });
    await eventually(async () => ((await statusesOf([post.id]))[0] === 'published' ? true : undefined), {
      what: 'the witness post to be published',
    });
  }

  async function statusesOf(postIds: string[]): Promise<string[]> {
    const rows = await sql.query<{ status: string }[]>(
      `SELECT status FROM post_targets WHERE post_id = ANY($1::uuid[])`,
      [postIds],
    );
    return rows.map((row) => row.status);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    certificate = await createSelfSignedCertificate();
    emulator = await startXEmulator({ host: '127.0.0.1', tls: { key: certificate.key, cert: certificate.cert } });
    const port = await freePort();
    environment = {
      ...testEnvironment({ databaseUrl: database.url, queuePrefix: redis.prefix, xApiBaseUrl: emulator.url }),
      PORT: String(port),
      NODE_EXTRA_CA_CERTS: certificate.certPath,
    };
    sql = await new DataSource({ type: 'postgres', url: database.url }).initialize();
    await start('backend');
    await Promise.all([start('worker'), start('worker'), start('scheduler')]);
    workspace = await newWorkspace(new ApiClient(`http://127.0.0.1:${port}`));
  }, 300_000);

  afterEach(() => emulator.reset());

  afterAll(async () => {
    if (process.env.E2E_DEBUG) {
      for (const child of processes)
        console.log(`---- ${child.app} (alive: ${child.alive})\n${child.log.slice(-6000)}`);
      console.log(await sql.query(`SELECT status, attempts, last_error, count(*) FROM post_targets GROUP BY 1,2,3`));
    }
    await Promise.all(processes.map((child) => child.kill('SIGKILL')));
    await sql?.destroy();
    await emulator?.close();
    certificate?.remove();
    await redis?.close();
    await database?.drop();
  });

  it('publishes posts scheduled a few seconds ahead once each, at their time', async () => {
    const accounts = [await newAccount(workspace), await newAccount(workspace)];
    const publishAt = new Date(Date.now() + 4_000);
    const posts: { id: string }[] = [];
    /** When each post was due: its time, or its creation if a slow machine took longer than that to create it. */
    const dueAt: number[] = [];
    for (let i = 0; i < 10; i++) {
      posts.push(await newPost(workspace, { content: `On time #${i}`, publishAt, accountIds: [accounts[i % 2].id] }));
      dueAt.push(Math.max(publishAt.getTime(), Date.now()));
    }

    await eventually(
      async () => ((await statusesOf(posts.map((p) => p.id))).every((s) => s === 'published') ? true : undefined),
      {
        timeoutMs: 30_000,
        what: 'all posts to be published',
      },
    );
    for (let i = 0; i < 10; i++) {
      const tweets = tweetsWith(`On time #${i}`);
      expect(tweets).toHaveLength(1);
      expect(tweets[0].token).toBe(accounts[i % 2].accessToken);
      expect(tweets[0].receivedAt.getTime()).toBeGreaterThanOrEqual(publishAt.getTime());
      // Generous, for a loaded machine: it rules out a publish that waited for anything but its time.
      expect(tweets[0].receivedAt.getTime() - dueAt[i]).toBeLessThan(15_000);
      const { body } = await workspace.api.get(`/v1/posts/${posts[i].id}`);
      expect(body.status).toBe('published');
      expect(body.targets[0].platformPostId).toBe(tweets[0].id);
    }
  }, 60_000);

  it('still publishes every post after the jobs are wiped from Redis', async () => {
    const account = await newAccount(workspace);
    const contents = Array.from({ length: 10 }, (_, i) => `After the flush #${i}`);
    const posts: { id: string }[] = [];
    for (const content of contents) {
      posts.push(
        await newPost(workspace, { content, publishAt: new Date(Date.now() + 3_000), accountIds: [account.id] }),
      );
    }
    expect(await redis.flush()).toBeGreaterThan(0);

    await eventually(
      async () => ((await statusesOf(posts.map((p) => p.id))).every((s) => s === 'published') ? true : undefined),
      {
        timeoutMs: 30_000,
        what: 'all posts to be published after the flush',
      },
    );
    await witnessPublished();
    for (const content of contents) expect(tweetsWith(content)).toHaveLength(1);
    expect(await sql.query(WRONG_OUTCOME_EVENTS, [posts.map((post) => post.id)])).toEqual([]);
  }, 60_000);

  it('publishes every post exactly once when a worker is SIGKILLed in the middle of a batch', async () => {
    const accounts = [await newAccount(workspace), await newAccount(workspace), await newAccount(workspace)];
    emulator.setDelay(250);
    const contents = Array.from({ length: 40 }, (_, i) => `Through a crash #${i}`);
    const posts: { id: string }[] = [];
    const publishAt = new Date(Date.now() + 3_000);
    for (const [i, content] of contents.entries()) {
      posts.push(await newPost(workspace, { content, publishAt, accountIds: [accounts[i % 3].id] }));
    }
    const victim = processes.find((child) => child.app === 'worker' && child.alive)!;
    await eventually(() => (emulator.tweets.length >= 3 ? true : undefined), { what: 'the batch to start' });
    await victim.kill('SIGKILL');
    await start('worker');

    await eventually(
      async () => ((await statusesOf(posts.map((p) => p.id))).every((s) => s === 'published') ? true : undefined),
      {
        timeoutMs: 75_000,
        intervalMs: 500,
        what: 'every post to be published despite the crash',
      },
    );
    for (const content of contents) expect(tweetsWith(content)).toHaveLength(1);
    // The events outbox: each target reported once, published, whatever the crash interrupted.
    expect(await sql.query(WRONG_OUTCOME_EVENTS, [posts.map((post) => post.id)])).toEqual([]);
  }, 120_000);

  it('lets active jobs finish when a worker gets SIGTERM', async () => {
    const account = await newAccount(workspace);
    for (const other of processes.filter((child) => child.app === 'worker')) await other.kill('SIGTERM');
    // X answers slowly, but well within this worker's timeout: SIGTERM lands while the publish is in flight.
    const worker = await start('worker', { PLATFORM_TIMEOUT_MS: '30000', PUBLISH_LEASE_SECONDS: '60' });
    emulator.setDelay(5_000);
    const post = await newPost(workspace, { content: 'Finished before exit', accountIds: [account.id] });
    const publishing = await eventually(() => emulator.requests.find((r) => r.endpoint === 'createTweet'), {
      what: 'the publish to start',
    });
    await worker.kill('SIGTERM');
    expect(publishing.status).toBe(201);
    // Nest re-raises the signal once shut down, so the exit says SIGTERM; what matters is the state left.
    expect(worker.alive).toBe(false);
    expect(await statusesOf([post.id])).toEqual(['published']);
    expect(tweetsWith('Finished before exit')).toHaveLength(1);
  }, 60_000);
});
