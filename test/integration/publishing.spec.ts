import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiClient } from '../support/api-client.js';
import { eventually, newAccount, newPost } from '../support/factories.js';
import { startBackend } from '../support/herald-apps.js';
import {
  pastMoment,
  postStatus,
  secondsFromNow,
  startPipeline,
  targetsOf,
  waitUntilSettled,
  type Pipeline,
} from '../support/pipeline.js';
import { testConfig } from '../support/test-environment.js';

describe('publishing through worker and scheduler', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await startPipeline();
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  const tweetsWith = (text: string) => pipeline.emulator.tweets.filter((tweet) => tweet.text === text);

  async function historyOf(postId: string): Promise<string[]> {
    const { body } = await pipeline.workspace.api.get(`/v1/posts/${postId}`);
    return (body.targets[0].history as { outcome: string }[]).map((attempt) => attempt.outcome);
  }

  it('publishes a scheduled post once, at its time, and records the platform id', async () => {
    const account = await newAccount(pipeline.workspace);
    const publishAt = secondsFromNow(2);
    const post = await newPost(pipeline.workspace, { content: 'On time, once', publishAt, accountIds: [account.id] });
    /** Its time, or its creation if a loaded machine took longer than that to create it. */
    const dueAt = Math.max(publishAt.getTime(), Date.now());

    const [target] = await waitUntilSettled(pipeline, post.id);
    const [tweet] = tweetsWith('On time, once');
    expect(tweetsWith('On time, once')).toHaveLength(1);
    expect(tweet.token).toBe(account.accessToken);
    expect(tweet.receivedAt.getTime()).toBeGreaterThanOrEqual(publishAt.getTime());
    // Generous, for a loaded machine: it rules out a publish that waited for anything but its time.
    expect(tweet.receivedAt.getTime() - dueAt).toBeLessThan(15_000);
    expect(target).toMatchObject({ status: 'published', attempts: 1, platform_post_id: tweet.id, last_error: null });

    const response = await pipeline.workspace.api.get(`/v1/posts/${post.id}`);
    expect(response.body).toMatchObject({ status: 'published' });
    expect(response.body.targets[0]).toMatchObject({
      status: 'published',
      platformPostId: tweet.id,
      url: `https://x.com/i/web/status/${tweet.id}`,
      publishedAt: expect.any(String),
    });
  });

  it('publishes each target on its own: a revoked account fails without re-posting the other', async () => {
    const good = await newAccount(pipeline.workspace);
    const revoked = await newAccount(pipeline.workspace);
    pipeline.emulator.revokeToken(revoked.accessToken);
    const post = await newPost(pipeline.workspace, { content: 'Half of it lands', accountIds: [good.id, revoked.id] });

    const targets = await waitUntilSettled(pipeline, post.id);
    expect(targets.map((target) => target.status).sort()).toEqual(['failed', 'published']);
    const failed = targets.find((target) => target.status === 'failed')!;
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toMatch(/X .*\(401\)/);
    expect(tweetsWith('Half of it lands')).toHaveLength(1);
    expect(await postStatus(pipeline, post.id)).toBe('partially_published');
  });

  it('retries a transient 503 and then publishes', async () => {
    const account = await newAccount(pipeline.workspace);
    pipeline.emulator.failNext({ status: 503, endpoint: 'createTweet', count: 1 });
    const post = await newPost(pipeline.workspace, { content: 'Survives a 503', accountIds: [account.id] });

    const [target] = await waitUntilSettled(pipeline, post.id);
    expect(target).toMatchObject({ status: 'published', attempts: 2, last_error: null });
    expect(tweetsWith('Survives a 503')).toHaveLength(1);
    // A 503 may hide a post that landed: the second attempt looked first, found nothing, then published.
    expect(await historyOf(post.id)).toEqual(['unknown', 'published']);
    const lookups = pipeline.emulator.requests.filter(
      (request) => request.endpoint === 'userTweets' && request.token === account.accessToken,
    );
    expect(lookups).toHaveLength(1);
  });

  it('recognises a timed-out post that did land, and does not post it again', async () => {
    const account = await newAccount(pipeline.workspace);
    // Answers long after PLATFORM_TIMEOUT_MS (2 s), so the timeout wins even on a loaded machine.
    pipeline.emulator.failNext({ delayMs: 8_000, afterRecord: true, endpoint: 'createTweet' });
    const post = await newPost(pipeline.workspace, { content: 'Landed despite the timeout', accountIds: [account.id] });

    const [target] = await waitUntilSettled(pipeline, post.id);
    const tweets = tweetsWith('Landed despite the timeout');
    expect(tweets).toHaveLength(1);
    expect(target).toMatchObject({ status: 'published', attempts: 2, platform_post_id: tweets[0].id });
    expect(await historyOf(post.id)).toEqual(['unknown', 'recovered']);
  });

  it('leaves a target unknown, never re-posted, when X cannot say whether it landed', async () => {
    const account = await newAccount(pipeline.workspace);
    pipeline.emulator.failNext({ status: 503, afterRecord: true, endpoint: 'createTweet' });
    pipeline.emulator.failNext({ status: 503, endpoint: 'userTweets', count: 2 });
    const post = await newPost(pipeline.workspace, { content: 'Maybe out there', accountIds: [account.id] });

    const [target] = await waitUntilSettled(pipeline, post.id);
    expect(target).toMatchObject({ status: 'unknown', attempts: 3, next_attempt_at: null });
    expect(target.last_error).toMatch(/gave up after 3 attempts; it may or may not have been published/);
    expect(tweetsWith('Maybe out there')).toHaveLength(1);
    expect(await historyOf(post.id)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(await postStatus(pipeline, post.id)).toBe('unknown');
  });

  it("waits for X's rate-limit reset before retrying a 429", async () => {
    const account = await newAccount(pipeline.workspace);
    pipeline.emulator.failNext({ status: 429, endpoint: 'createTweet', resetInSeconds: 2 });
    const post = await newPost(pipeline.workspace, { content: 'Patient after 429', accountIds: [account.id] });

    const [target] = await waitUntilSettled(pipeline, post.id);
    expect(target).toMatchObject({ status: 'published', attempts: 2 });
    const attempts = pipeline.emulator.requests.filter(
      (request) => request.endpoint === 'createTweet' && request.token === account.accessToken,
    );
    expect(attempts.map((request) => request.status)).toEqual([429, 201]);
    expect(attempts[1].receivedAt.getTime() - attempts[0].receivedAt.getTime()).toBeGreaterThanOrEqual(1_000);
  });

  it("takes X's duplicate-content answer after a lost response as evidence, and does not post again", async () => {
    const account = await newAccount(pipeline.workspace);
    pipeline.emulator.failNext({ status: 503, afterRecord: true, endpoint: 'createTweet' });
    // The timeline has not caught up yet: the check finds nothing, so the retry meets X's 403.
    pipeline.emulator.failNext({ status: 200, endpoint: 'userTweets', body: { meta: { result_count: 0 } } });
    const post = await newPost(pipeline.workspace, { content: 'Landed, timeline lagging', accountIds: [account.id] });

    const [target] = await waitUntilSettled(pipeline, post.id);
    expect(target).toMatchObject({ status: 'unknown', attempts: 2, next_attempt_at: null });
    expect(target.last_error).toMatch(/duplicate content.*not posting again/);
    expect(tweetsWith('Landed, timeline lagging')).toHaveLength(1);
    expect(await historyOf(post.id)).toEqual(['unknown', 'unverifiable']);
  });

  it('holds every target of a rate-limited account until the reset, across workers', async () => {
    const account = await newAccount(pipeline.workspace);
    pipeline.emulator.failNext({ status: 429, endpoint: 'createTweet', resetInSeconds: 3 });
    const first = await newPost(pipeline.workspace, { content: 'Rate limited 1', accountIds: [account.id] });
    const limited = await eventually(() =>
      pipeline.emulator.requests.find((request) => request.token === account.accessToken && request.status === 429),
    );
    // X's reset is 3 s after the start of the 429's second, so over 2 s after it (1.5 s: room for rounding).
    const resetAfter = limited.receivedAt.getTime() + 1_500;
    const second = await newPost(pipeline.workspace, { content: 'Rate limited 2', accountIds: [account.id] });

    await waitUntilSettled(pipeline, first.id);
    await waitUntilSettled(pipeline, second.id);
    const accepted = pipeline.emulator.requests.filter(
      (request) =>
        request.endpoint === 'createTweet' && request.token === account.accessToken && request.status === 201,
    );
    expect(accepted).toHaveLength(2);
    for (const request of accepted) expect(request.receivedAt.getTime()).toBeGreaterThanOrEqual(resetAfter);
    expect(await historyOf(first.id)).toEqual(['rate_limited', 'published']);
    expect(await historyOf(second.id)).toEqual(['published']);
  });

  it('marks a post missed rather than publishing it later than maxLatenessSeconds', async () => {
    const account = await newAccount(pipeline.workspace);
    const post = await newPost(pipeline.workspace, {
      content: 'Too late to matter',
      publishAt: new Date(Date.now() - 4 * 60_000),
      maxLatenessSeconds: 60,
      accountIds: [account.id],
    });
    const [target] = await waitUntilSettled(pipeline, post.id);
    expect(target.status).toBe('missed');
    expect(target.last_error).toMatch(/past its time/);
    expect(tweetsWith('Too late to matter')).toHaveLength(0);
    expect(await postStatus(pipeline, post.id)).toBe('missed');
  });

  it('re-runs failed targets on request', async () => {
    const account = await newAccount(pipeline.workspace);
    pipeline.emulator.failNext({
      status: 403,
      endpoint: 'createTweet',
      body: { title: 'Forbidden', detail: 'Try later', status: 403 },
    });
    const post = await newPost(pipeline.workspace, { content: 'Second chance', accountIds: [account.id] });
    expect((await waitUntilSettled(pipeline, post.id))[0].status).toBe('failed');
    expect((await pipeline.workspace.api.post(`/v1/posts/${post.id}/retry`)).status).toBe(200);

    const [target] = await eventually(async () => {
      const targets = await targetsOf(pipeline, post.id);
      return targets[0].status === 'published' ? targets : undefined;
    });
    expect(target.attempts).toBe(1);
    expect(tweetsWith('Second chance')).toHaveLength(1);
    expect(await historyOf(post.id)).toEqual(['failed', 'published']);
    expect((await pipeline.workspace.api.post(`/v1/posts/${post.id}/retry`)).status).toBe(409);
  });

  it('fails at once on content X refuses, with X’s message', async () => {
    const account = await newAccount(pipeline.workspace);
    pipeline.emulator.tweets.push({
      id: '1',
      text: 'Already said',
      authorId: pipeline.emulator.userFor(account.accessToken).id,
      token: account.accessToken,
      receivedAt: new Date(),
    });
    const post = await newPost(pipeline.workspace, { content: 'Already said', accountIds: [account.id] });
    const [target] = await waitUntilSettled(pipeline, post.id);
    expect(target).toMatchObject({ status: 'failed', attempts: 1 });
    expect(target.last_error).toMatch(/403.*duplicate content/);
  });

  it('never publishes a cancelled post', async () => {
    const account = await newAccount(pipeline.workspace);
    // No worker until the post is cancelled, so the cancellation is in time however slow the requests.
    await pipeline.stopWorker();
    const publishAt = secondsFromNow(1);
    const post = await newPost(pipeline.workspace, {
      content: 'Cancelled in time',
      publishAt,
      accountIds: [account.id],
    });
    expect((await pipeline.workspace.api.delete(`/v1/posts/${post.id}`)).status).toBe(200);
    await pipeline.startWorker();

    await pastMoment(pipeline, publishAt);
    expect(tweetsWith('Cancelled in time')).toHaveLength(0);
    expect((await targetsOf(pipeline, post.id))[0].status).toBe('cancelled');
  });

  it('publishes a rescheduled post at its new time, not the old one', async () => {
    const account = await newAccount(pipeline.workspace);
    // No worker until the post is moved, so the old time cannot come first however slow the requests.
    await pipeline.stopWorker();
    const post = await newPost(pipeline.workspace, {
      content: 'Moved later',
      publishAt: secondsFromNow(1),
      accountIds: [account.id],
    });
    const newTime = secondsFromNow(5);
    expect(
      (await pipeline.workspace.api.patch(`/v1/posts/${post.id}`, { publishAt: newTime.toISOString() })).status,
    ).toBe(200);
    await pipeline.startWorker();

    await waitUntilSettled(pipeline, post.id);
    const tweets = tweetsWith('Moved later');
    expect(tweets).toHaveLength(1);
    expect(tweets[0].receivedAt.getTime()).toBeGreaterThanOrEqual(newTime.getTime());
  });

  it('cancels the pending targets of a deleted account', async () => {
    const account = await newAccount(pipeline.workspace);
    await pipeline.stopWorker();
    const publishAt = secondsFromNow(1);
    const post = await newPost(pipeline.workspace, { content: 'Account gone', publishAt, accountIds: [account.id] });
    expect((await pipeline.workspace.api.delete(`/v1/accounts/${account.id}`)).status).toBe(204);
    await pipeline.startWorker();

    await pastMoment(pipeline, publishAt);
    expect(tweetsWith('Account gone')).toHaveLength(0);
    expect((await targetsOf(pipeline, post.id))[0]).toMatchObject({
      status: 'cancelled',
      last_error: 'account deleted',
    });
  });

  it('self-heals after the jobs are wiped from Redis: every due post published once', async () => {
    await pipeline.stopWorker();
    const account = await newAccount(pipeline.workspace);
    const contents = Array.from({ length: 8 }, (_, i) => `Survives a flush #${i}`);
    const posts = [];
    for (const content of contents)
      posts.push(
        await newPost(pipeline.workspace, { content, publishAt: secondsFromNow(1), accountIds: [account.id] }),
      );
    expect(await pipeline.redis.flush()).toBeGreaterThan(0);
    await pipeline.startWorker();

    for (const post of posts) {
      expect(await waitUntilSettled(pipeline, post.id)).toMatchObject([{ status: 'published', attempts: 1 }]);
    }
    await pastMoment(pipeline, new Date());
    for (const content of contents) expect(tweetsWith(content)).toHaveLength(1);
  });

  it('takes over from a worker that died mid-publish without posting twice', async () => {
    const account = await newAccount(pipeline.workspace);
    await pipeline.stopWorker();
    const post = await newPost(pipeline.workspace, {
      content: 'Landed, then the worker died',
      accountIds: [account.id],
    });
    const [{ id: targetId }] = await targetsOf(pipeline, post.id);
    // What a worker killed right after X accepted the post leaves behind: a claimed target, a tweet.
    await pipeline.sql.query(
      `UPDATE post_targets SET status = 'publishing', attempts = 1, lease_expires_at = now() + interval '2 seconds', updated_at = now() WHERE id = $1`,
      [targetId],
    );
    await fetch(`${pipeline.emulator.url}/2/tweets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Landed, then the worker died' }),
    });
    await pipeline.redis.flush();
    await pipeline.startWorker();

    const [target] = await waitUntilSettled(pipeline, post.id);
    const tweets = tweetsWith('Landed, then the worker died');
    expect(tweets).toHaveLength(1);
    expect(target).toMatchObject({ status: 'published', attempts: 2, platform_post_id: tweets[0].id });
  });

  it('accepts posts while Redis is down, and the scheduler publishes them later', async () => {
    const deadRedis = testConfig({ ...pipeline.environment, REDIS_URL: 'redis://127.0.0.1:1' });
    const backend = await startBackend(deadRedis);
    try {
      const account = await newAccount(pipeline.workspace);
      const api = new ApiClient(backend.url).as(pipeline.workspace.apiKey);
      const started = Date.now();
      const response = await api.post('/v1/posts', { content: 'Redis was down', accountIds: [account.id] });
      expect(response.status).toBe(201);
      // Redis calls give up after one second instead of waiting for Redis; generous for a loaded machine.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await api.get('/health/ready')).status).toBe(503);

      const [target] = await waitUntilSettled(pipeline, response.body.id);
      expect(target.status).toBe('published');
      expect(tweetsWith('Redis was down')).toHaveLength(1);
    } finally {
      await backend.close();
    }
  });
});
