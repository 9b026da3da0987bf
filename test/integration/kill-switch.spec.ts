import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { POST_QUEUE } from '@app/shared';
import { Queue } from 'bullmq';
import type { ApiClient } from '../support/api-client.js';
import { eventually, newAccount, newPost } from '../support/factories.js';
import {
  requeuePassFromNow,
  secondsFromNow,
  startPipeline,
  targetsOf,
  waitUntilSettled,
  type Pipeline,
} from '../support/pipeline.js';
import { TEST_REDIS_URL } from '../support/test-redis.js';
import { clientWithRole, historyOfSubject } from '../support/workspace-keys.js';

/** The kill switch (issue 11): admins pause publishing for a workspace or one account. */
describe('kill switch', () => {
  let pipeline: Pipeline;
  let admin: ApiClient;
  let queue: Queue;

  beforeAll(async () => {
    pipeline = await startPipeline();
    admin = pipeline.workspace.api;
    queue = new Queue(POST_QUEUE, { prefix: pipeline.redis.prefix, connection: { url: TEST_REDIS_URL } });
  });

  afterAll(async () => {
    await queue?.close();
    await pipeline?.stop();
  });

  const tweetsWith = (text: string) => pipeline.emulator.tweets.filter((tweet) => tweet.text === text);

  /** The worker took the target's job, found the target paused and parked the job, unchanged, for later. */
  async function parkedByWorker(targetId: string): Promise<void> {
    await eventually(
      async () => {
        const job = await queue.getJob(targetId);
        return job?.processedOn && (await job.getState()) === 'delayed' ? true : undefined;
      },
      { what: `the worker to park the job of ${targetId}` },
    );
  }

  it('is for admins only, and names the accounts it knows', async () => {
    const editor = await clientWithRole(pipeline, 'editor');
    const refused = await editor.post('/v1/workspace/pause', { reason: 'no' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/admin/);
    expect((await admin.post('/v1/accounts/7d1a3c2e-0000-4000-8000-000000000000/pause', {})).status).toBe(404);
    expect((await admin.post('/v1/workspace/pause', { reason: 42 })).status).toBe(400);
    expect(await historyOfSubject(pipeline, pipeline.workspace.id)).toEqual({ events: [], audit: [] });
  });

  it('holds back a post whose job is already in Redis, and publishes it once resumed', async () => {
    const account = await newAccount(pipeline.workspace);
    const post = await newPost(pipeline.workspace, {
      content: 'Held by the kill switch',
      publishAt: secondsFromNow(3600),
      accountIds: [account.id],
    });
    const [target] = await targetsOf(pipeline, post.id);
    expect(await queue.getJobState(target.id)).toBe('delayed');

    const paused = await admin.post('/v1/workspace/pause', { reason: 'Crisis' });
    expect(paused).toMatchObject({
      status: 200,
      body: { scope: 'workspace', accountId: null, paused: { reason: 'Crisis', by: 'Default key' } },
    });
    const again = await admin.post('/v1/workspace/pause', { reason: 'Another' });
    expect(again.body.paused).toEqual(paused.body.paused);

    // The post comes due while paused, and the job queued before the pause runs.
    await pipeline.sql.query(`UPDATE post_targets SET due_at = now(), next_attempt_at = now() WHERE id = $1`, [
      target.id,
    ]);
    await (await queue.getJob(target.id))!.promote();
    await parkedByWorker(target.id);
    await requeuePassFromNow(pipeline);
    expect(await targetsOf(pipeline, post.id)).toMatchObject([
      { status: expect.stringMatching(/scheduled|queued/), attempts: 0 },
    ]);
    expect(tweetsWith('Held by the kill switch')).toHaveLength(0);
    const shown = (await admin.get(`/v1/posts/${post.id}`)).body;
    const pause = { scope: 'workspace', since: paused.body.paused.since, reason: 'Crisis' };
    expect(shown).toMatchObject({ paused: pause, targets: [{ paused: pause }] });
    const listed = (await admin.get('/v1/posts')).body.items.find((item: { id: string }) => item.id === post.id);
    expect(listed.paused).toEqual(pause);

    const resumed = await admin.post('/v1/workspace/resume');
    expect(resumed).toMatchObject({ status: 200, body: { scope: 'workspace', paused: null } });
    await requeuePassFromNow(pipeline);
    const [settled] = await waitUntilSettled(pipeline, post.id);
    expect(settled.status).toBe('published');
    expect(tweetsWith('Held by the kill switch')).toHaveLength(1);
    expect((await admin.get(`/v1/posts/${post.id}`)).body.paused).toBeNull();
    expect(await historyOfSubject(pipeline, pipeline.workspace.id)).toEqual({
      events: ['workspace.paused', 'workspace.resumed'],
      audit: [
        { action: 'workspace.paused', actor: 'Default key' },
        { action: 'workspace.resumed', actor: 'Default key' },
      ],
    });
    expect((await admin.post('/v1/workspace/resume')).body.paused).toBeNull();
  });

  it('marks a post missed when the pause outlasted its maxLatenessSeconds', async () => {
    const account = await newAccount(pipeline.workspace);
    await admin.post(`/v1/accounts/${account.id}/pause`, {});
    const post = await newPost(pipeline.workspace, {
      content: 'Too late after the pause',
      publishAt: new Date(Date.now() - 4 * 60_000),
      maxLatenessSeconds: 60,
      accountIds: [account.id],
    });
    const [target] = await targetsOf(pipeline, post.id);
    await parkedByWorker(target.id);
    expect(await targetsOf(pipeline, post.id)).toMatchObject([{ status: expect.stringMatching(/scheduled|queued/) }]);

    await admin.post(`/v1/accounts/${account.id}/resume`);
    await requeuePassFromNow(pipeline);
    const [settled] = await waitUntilSettled(pipeline, post.id);
    expect(settled.status).toBe('missed');
    expect(tweetsWith('Too late after the pause')).toHaveLength(0);
  });

  it('pauses one account without holding back the others, even on the same post', async () => {
    const [held, free] = [await newAccount(pipeline.workspace), await newAccount(pipeline.workspace)];
    const paused = await admin.post(`/v1/accounts/${held.id}/pause`, { reason: 'Compromised' });
    expect(paused.body).toMatchObject({ scope: 'account', accountId: held.id, paused: { reason: 'Compromised' } });

    const viewer = await clientWithRole(pipeline, 'viewer');
    expect((await viewer.get('/v1/workspace/pauses')).body).toEqual({ items: [paused.body] });
    expect((await viewer.post(`/v1/accounts/${held.id}/resume`)).status).toBe(403);
    const post = await newPost(pipeline.workspace, { content: 'Half of it goes out', accountIds: [held.id, free.id] });
    const targetOf = async (accountId: string) =>
      (
        await pipeline.sql.query<{ id: string; status: string; attempts: number }[]>(
          `SELECT id, status, attempts FROM post_targets WHERE post_id = $1 AND account_id = $2`,
          [post.id, accountId],
        )
      )[0];
    const [heldTarget, freeTarget] = [await targetOf(held.id), await targetOf(free.id)];
    await parkedByWorker(heldTarget.id);
    await eventually(async () => ((await targetOf(free.id)).status === 'published' ? true : undefined), {
      what: 'the free account to publish',
    });
    expect(await targetOf(held.id)).toMatchObject({ status: expect.stringMatching(/scheduled|queued/), attempts: 0 });
    expect(tweetsWith('Half of it goes out')).toHaveLength(1);
    const shown = (await admin.get(`/v1/posts/${post.id}`)).body;
    const pause = { scope: 'account', since: paused.body.paused.since, reason: 'Compromised' };
    expect(shown.paused).toEqual(pause);
    const pauseOf = (id: string) => shown.targets.find((target: { id: string }) => target.id === id).paused;
    expect([pauseOf(heldTarget.id), pauseOf(freeTarget.id)]).toEqual([pause, null]);

    await admin.post(`/v1/accounts/${held.id}/resume`);
    await requeuePassFromNow(pipeline);
    const settled = await waitUntilSettled(pipeline, post.id);
    expect(settled.map((target) => target.status)).toEqual(['published', 'published']);
    expect(tweetsWith('Half of it goes out')).toHaveLength(2);
    expect((await historyOfSubject(pipeline, held.id)).events).toEqual([
      'account.connected',
      'account.paused',
      'account.resumed',
      'target.published',
    ]);
    expect((await viewer.get('/v1/workspace/pauses')).body).toEqual({ items: [] });
  });
});
