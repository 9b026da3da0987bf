import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { FailFastRedis, POST_QUEUE, type AppConfig } from '@app/shared';
import { PublishPacing, type PaceDecision } from '../../apps/worker/src/publish/publish-pacing.js';
import { eventually, newAccount, newPost, newWorkspace } from '../support/factories.js';
import { requeuePassFromNow, startPipeline, targetsOf, type Pipeline, type TargetRow } from '../support/pipeline.js';
import { repositoriesOver } from '../support/repositories.js';
import { TEST_REDIS_URL, createTestRedis, type TestRedis } from '../support/test-redis.js';
import { testConfig, testEnvironment } from '../support/test-environment.js';

/** Pacing per account and per platform app, and fairness between workspaces. */
describe('pacing', () => {
  describe('the bucket decision (Redis, an injected clock)', () => {
    let redis: TestRedis;
    let connection: FailFastRedis;
    let pacing: PublishPacing;
    const T0 = Date.UTC(2030, 0, 1, 9);

    beforeAll(async () => {
      redis = await createTestRedis();
      // 3 per 30 s per account (a token back every 10 s), 5 per 50 s for the whole app. Each case
      // starts long after the previous one's, once the app's bucket is full again.
      const config = configWith(redis.prefix, { X_ACCOUNT_PACE: '3/30', X_APP_PACE: '5/50' });
      connection = new FailFastRedis(config);
      await connection.onModuleInit();
      pacing = new PublishPacing(connection, config);
    });

    afterAll(async () => {
      connection?.onModuleDestroy();
      await redis?.close();
    });

    const go: PaceDecision = { kind: 'go' };
    const waitUntil = (ms: number): PaceDecision => ({ kind: 'wait', until: new Date(T0 + ms) });

    it.each([
      [
        'a burst up to the account bucket goes at once; the rest get successive booked times',
        [
          ['a', 't1', 1, 0, go],
          ['a', 't2', 1, 0, go],
          ['a', 't3', 1, 0, go],
          ['a', 't4', 1, 0, waitUntil(10_000)],
          ['a', 't5', 1, 0, waitUntil(20_000)],
          // Early (a promoted job): the same booking, nothing taken again.
          ['a', 't4', 1, 5_000, waitUntil(10_000)],
          // Its time has come: it goes on its booking, and the next newcomer queues behind t5.
          ['a', 't4', 1, 10_000, go],
          ['a', 't6', 1, 10_000, waitUntil(30_000)],
          ['a', 't5', 1, 20_000, go],
          // A booking is used once: the same target coming again takes tokens like any other.
          ['a', 't5', 1, 20_000, waitUntil(40_000)],
        ],
      ],
      [
        'the app bucket holds every account back together',
        [
          ['b', 'u1', 1, 500_000, go],
          ['c', 'u2', 1, 500_000, go],
          ['d', 'u3', 1, 500_000, go],
          ['e', 'u4', 1, 500_000, go],
          ['f', 'u5', 1, 500_000, go],
          ['g', 'u6', 1, 500_000, waitUntil(510_000)],
        ],
      ],
      [
        "a thread takes one token per part, the account's bucket at most",
        [
          ['h', 'v1', 2, 1_000_000, go],
          ['h', 'v2', 2, 1_000_000, waitUntil(1_010_000)],
          ['i', 'w1', 9, 2_000_000, go],
          ['i', 'w2', 1, 2_000_000, waitUntil(2_010_000)],
        ],
      ],
      [
        'a full bucket after a quiet while',
        [
          ['j', 'x1', 1, 3_000_000, go],
          ['j', 'x2', 1, 3_000_000, go],
          ['j', 'x3', 1, 3_000_000, go],
          ['j', 'x4', 1, 3_030_000, go],
          ['j', 'x5', 1, 3_030_000, go],
          ['j', 'x6', 1, 3_030_000, go],
          ['j', 'x7', 1, 3_030_000, waitUntil(3_040_000)],
        ],
      ],
    ] as const)('%s', async (_, steps) => {
      const ids = new Map<string, string>();
      const idOf = (name: string) => ids.get(name) ?? ids.set(name, randomUUID()).get(name)!;
      for (const [account, target, tokens, at, expected] of steps) {
        const decision = await pacing.take(
          { accountId: idOf(account), targetId: idOf(target), platform: 'x', tokens },
          T0 + at,
        );
        expect({ account, target, at, decision }).toEqual({ account, target, at, decision: expected });
      }
    });

    it('lets a post through when Redis does not answer: the platform 429 is the backstop', async () => {
      const config = configWith(redis.prefix, { REDIS_URL: 'redis://127.0.0.1:9', X_ACCOUNT_PACE: '1/3600' });
      const unreachable = new FailFastRedis(config);
      await unreachable.onModuleInit();
      try {
        const blind = new PublishPacing(unreachable, config);
        const request = { accountId: randomUUID(), platform: 'x' as const, tokens: 1 };
        expect(await blind.take({ ...request, targetId: randomUUID() }, T0)).toEqual(go);
        expect(await blind.take({ ...request, targetId: randomUUID() }, T0)).toEqual(go);
      } finally {
        unreachable.onModuleDestroy();
      }
    });

    it('takes nothing on a platform without limits', async () => {
      const config = configWith(redis.prefix, { X_ACCOUNT_PACE: 'off', X_APP_PACE: 'off' });
      const unlimited = new PublishPacing(connection, config);
      const request = { accountId: randomUUID(), platform: 'x' as const, tokens: 1 };
      for (let i = 0; i < 10; i++) expect(await unlimited.take({ ...request, targetId: randomUUID() }, T0)).toEqual(go);
    });
  });

  describe('in the worker: N tokens per account, N + k due targets', () => {
    const N = 3;
    const k = 2;
    let pipeline: Pipeline;

    beforeAll(async () => {
      // A day's worth of N: the k left over are booked hours ahead, far past anything this test waits for.
      pipeline = await startPipeline({ environment: { X_ACCOUNT_PACE: `${N}/86400` } });
    });

    afterAll(async () => {
      await pipeline?.stop();
    });

    it('publishes N now and parks k untried, each until its own token time', async () => {
      const account = await newAccount(pipeline.workspace);
      const posts: { id: string }[] = [];
      for (let i = 0; i < N + k; i++) posts.push(await newPost(pipeline.workspace, { accountIds: [account.id] }));

      const targets = await eventually(
        async () => {
          const rows = (await Promise.all(posts.map((post) => targetsOf(pipeline, post.id)))).flat();
          const parked = rows.filter(isParked);
          return rows.filter((row) => row.status === 'published').length === N && parked.length === k
            ? rows
            : undefined;
        },
        { what: `${N} published and ${k} parked` },
      );

      expect(pipeline.emulator.tweets).toHaveLength(N);
      const parked = targets.filter(isParked);
      // Never counted as an attempt, never in the history, never sent.
      expect(parked.map((row) => row.attempts)).toEqual([0, 0]);
      const history = await pipeline.sql.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM publish_attempts WHERE target_id = ANY($1::uuid[])`,
        [parked.map((row) => row.id)],
      );
      expect(history[0].n).toBe(0);
      // Each its own token time: one token comes back every 86400 / N seconds.
      const times = parked.map((row) => row.next_attempt_at!.getTime()).sort((a, b) => a - b);
      expect(times[1] - times[0]).toBe((86_400 / N) * 1000);

      const queue = new Queue(POST_QUEUE, { prefix: pipeline.redis.prefix, connection: { url: TEST_REDIS_URL } });
      try {
        for (const row of parked) expect(await queue.getJobState(row.id)).toBe('delayed');
      } finally {
        await queue.close();
      }
    });
  });

  describe('fairness between workspaces', () => {
    const CONCURRENCY = 2;
    const BURST = 300;
    let pipeline: Pipeline;

    beforeAll(async () => {
      pipeline = await startPipeline({
        worker: false,
        scheduler: false,
        environment: { WORKER_CONCURRENCY: String(CONCURRENCY) },
      });
    });

    afterAll(async () => {
      await pipeline?.stop();
    });

    it('gives a claimed target back as it was before the claim, a lapsed lease included', async () => {
      const targets = repositoriesOver(pipeline.sql).targets;
      const workspace = await newWorkspace(pipeline.api, 'Released');
      const post = await newPost(workspace, { accountIds: [(await newAccount(workspace)).id] });
      const id: string = post.targets[0].id;
      const later = new Date(Date.now() + 3_600_000);
      const row = async () =>
        (
          await pipeline.sql.query<
            { status: string; attempts: number; next_attempt_at: Date; lease_expires_at: Date; updated_at: Date }[]
          >(`SELECT status, attempts, next_attempt_at, lease_expires_at, updated_at FROM post_targets WHERE id = $1`, [
            id,
          ])
        )[0];

      const claim = (await targets.claim(id, 30))!;
      expect(await targets.release(claim, later)).toBe(true);
      expect(await row()).toMatchObject({
        status: claim.previousStatus,
        attempts: 0,
        next_attempt_at: later,
        lease_expires_at: null,
      });
      expect(await targets.claim(id, 30)).toBeNull();

      await pipeline.sql.query(`UPDATE post_targets SET next_attempt_at = now() WHERE id = $1`, [id]);
      const first = (await targets.claim(id, 30))!;
      await pipeline.sql.query(`UPDATE post_targets SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [
        id,
      ]);
      const second = (await targets.claim(id, 30))!;
      expect(second.previousStatus).toBe('publishing');
      expect(await targets.release(second, later)).toBe(true);
      // Still the lapsed attempt's: taken over again at `later`, searching from when that attempt started.
      expect(await row()).toMatchObject({
        status: 'publishing',
        attempts: first.attempt,
        lease_expires_at: later,
        updated_at: second.previousAttemptStartedAt,
      });
      // Fenced like every write of a claim: a second release of the same claim finds it gone.
      expect(await targets.release(second, later)).toBe(false);
      const history = await pipeline.sql.query(`SELECT 1 FROM publish_attempts WHERE target_id = $1`, [id]);
      expect(history).toHaveLength(0);
    });

    it("publishes a small workspace's post before the tail of a big workspace's burst due at the same instant", async () => {
      const dueAt = new Date();
      const big = pipeline.workspace;
      const accounts: { id: string }[] = [];
      for (let i = 0; i < 10; i++) accounts.push(await newAccount(big));
      for (let i = 0; i < BURST; i += 20) {
        await Promise.all(
          Array.from({ length: 20 }, (_, j) =>
            newPost(big, { content: `burst ${i + j}`, publishAt: dueAt, accountIds: [accounts[(i + j) % 10].id] }),
          ),
        );
      }
      const small = await newWorkspace(pipeline.api, 'Small');
      const smallAccount = await newAccount(small);
      await newPost(small, { content: 'the small one', publishAt: dueAt, accountIds: [smallAccount.id] });

      await pipeline.startWorker();
      await eventually(() => (pipeline.emulator.tweets.length === BURST + 1 ? true : undefined), {
        timeoutMs: 60_000,
        what: 'every post published',
      });
      const order = pipeline.emulator.tweets.map((tweet) => tweet.text);
      expect(order.indexOf('the small one')).toBeLessThan(2 * CONCURRENCY);
    });

    it('requeues a backlog lost with Redis oldest first within each workspace, every workspace first in turn', async () => {
      await pipeline.stopWorker();
      const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
      const big = await newWorkspace(pipeline.api, 'Backlog');
      const bigAccount = await newAccount(big);
      const backlog: string[] = [];
      for (const minutes of [4, 4, 4, 3, 3]) {
        const post = await newPost(big, { publishAt: minutesAgo(minutes), accountIds: [bigAccount.id] });
        backlog.push(post.targets[0].id);
      }
      const small = await newWorkspace(pipeline.api, 'Late');
      const late = await newPost(small, { publishAt: minutesAgo(2), accountIds: [(await newAccount(small)).id] });
      await pipeline.redis.flush();

      await requeuePassFromNow(pipeline);
      const ready = await pipeline.redis.client.zrange(`${pipeline.redis.prefix}:${POST_QUEUE}:prioritized`, '0', '-1');
      expect(ready.filter((id) => backlog.includes(id))).toEqual(backlog);
      expect(ready.indexOf(late.targets[0].id)).toBeLessThan(2);
    });
  });
});

const isParked = (row: TargetRow): boolean =>
  row.status !== 'published' && row.next_attempt_at !== null && row.next_attempt_at.getTime() > Date.now() + 3_600_000;

function configWith(prefix: string, overrides: Record<string, string>): AppConfig {
  return testConfig(
    testEnvironment({ databaseUrl: 'postgres://unused@localhost/unused', queuePrefix: prefix }, overrides),
  );
}
