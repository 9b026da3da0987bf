import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { RequeueService, type RequeueSummary } from '../../apps/scheduler/src/requeue/requeue.service.js';
import {
  AppConfig,
  LATE_TOLERANCE_MS,
  POST_QUEUE,
  PostTargetRepository,
  PUBLISH_TARGET_JOB,
  type DueTarget,
} from '@app/shared';
import { eventually, newAccount, newPost } from '../support/factories.js';
import { startScheduler } from '../support/herald-apps.js';
import { startPipeline, targetsOf, type Pipeline } from '../support/pipeline.js';
import { watchRedisTraffic, type RedisTraffic } from '../support/redis-traffic.js';
import { repositoriesOver } from '../support/repositories.js';
import { testConfig } from '../support/test-environment.js';

const HOUR = 3_600_000;

/**
 * The scheduler keeps a delayed job for every target due within SCHEDULER_LOOKAHEAD_TICKS ticks, so
 * a flushed Redis delays no post due after the next tick. Its scheduler ticks once a year (on 1
 * January) and looks two ticks ahead: every post due within the next year is inside the window, and
 * passes run only when a test asks for one.
 */
describe('the lookahead', () => {
  let pipeline: Pipeline;
  let scheduler: INestApplicationContext;

  beforeAll(async () => {
    pipeline = await startPipeline({ worker: false, scheduler: false });
    scheduler = await startScheduler(
      testConfig({ ...pipeline.environment, SCHEDULER_CRON: '0 0 1 1 *', SCHEDULER_LOOKAHEAD_TICKS: '2' }),
    );
  });

  afterAll(async () => {
    await scheduler?.close();
    await pipeline?.stop();
  });

  async function pass(): Promise<RequeueSummary> {
    const summary = await scheduler.get(RequeueService).requeueDue();
    if (summary === 'busy') throw new Error('no other scheduler runs in this file');
    return summary;
  }

  /** The target's job as Redis holds it: absent, or delayed until when, or in another state. */
  async function jobOf(targetId: string): Promise<'none' | Date | 'not delayed'> {
    const key = `${pipeline.redis.prefix}:${POST_QUEUE}`;
    if ((await pipeline.redis.client.exists(`${key}:${targetId}`)) === 0) return 'none';
    const score = await pipeline.redis.client.zscore(`${key}:delayed`, targetId);
    return score === null ? 'not delayed' : new Date(Math.floor(Number(score) / 0x1000));
  }

  async function expectDelayedUntil(targetId: string, time: Date): Promise<void> {
    const runAt = await jobOf(targetId);
    if (!(runAt instanceof Date)) throw new Error(`the job of ${targetId} is ${runAt}, not delayed`);
    expect(Math.abs(runAt.getTime() - time.getTime())).toBeLessThanOrEqual(LATE_TOLERANCE_MS);
  }

  async function postDueIn(ms: number): Promise<{ postId: string; targetId: string; publishAt: Date }> {
    const account = await newAccount(pipeline.workspace);
    const publishAt = new Date(Date.now() + ms);
    const post = await newPost(pipeline.workspace, { accountIds: [account.id], publishAt });
    return { postId: post.id, targetId: post.targets[0].id, publishAt };
  }

  it('after a flush, recreates the delayed jobs of the targets due within the window, and no other', async () => {
    const inside = await postDueIn(HOUR);
    const outside = await postDueIn(HOUR);
    await pipeline.sql.query(
      `UPDATE post_targets SET due_at = now() + interval '3 years', next_attempt_at = now() + interval '3 years'
        WHERE id = $1`,
      [outside.targetId],
    );
    const cancelled = await postDueIn(HOUR);
    expect((await pipeline.workspace.api.delete(`/v1/posts/${cancelled.postId}`)).status).toBe(200);
    const published = await postDueIn(HOUR);
    await pipeline.sql.query(
      `UPDATE post_targets SET status = 'published', published_at = now(), next_attempt_at = NULL WHERE id = $1`,
      [published.targetId],
    );
    await pipeline.redis.flush();

    const first = await pass();
    expect(first.ahead.added).toBeGreaterThanOrEqual(1);
    await expectDelayedUntil(inside.targetId, inside.publishAt);
    for (const other of [outside, cancelled, published]) expect(await jobOf(other.targetId)).toBe('none');
    // Nothing due yet: nothing was queued to run now, and the target is still waiting for its time.
    expect(first.added).toBe(0);
    expect((await targetsOf(pipeline, inside.postId))[0].status).toBe('scheduled');

    const second = await pass();
    expect(second.ahead).toMatchObject({ added: 0, replaced: 0, moved: 0, error: 0 });
    await expectDelayedUntil(inside.targetId, inside.publishAt);
  });

  it('moves a job the scheduler recreated when the post is rescheduled', async () => {
    const post = await postDueIn(HOUR);
    await pipeline.redis.flush();
    await pass();
    await expectDelayedUntil(post.targetId, post.publishAt);

    const later = new Date(post.publishAt.getTime() + HOUR);
    const patched = await pipeline.workspace.api.patch(`/v1/posts/${post.postId}`, { publishAt: later.toISOString() });
    expect(patched.status).toBe(200);
    await expectDelayedUntil(post.targetId, later);
    expect((await pass()).ahead).toMatchObject({ added: 0, replaced: 0, moved: 0 });
    await expectDelayedUntil(post.targetId, later);
  });

  it('removes a job the scheduler recreated when the post is cancelled, and does not bring it back', async () => {
    const post = await postDueIn(HOUR);
    await pipeline.redis.flush();
    await pass();
    await expectDelayedUntil(post.targetId, post.publishAt);

    expect((await pipeline.workspace.api.delete(`/v1/posts/${post.postId}`)).status).toBe(200);
    expect(await jobOf(post.targetId)).toBe('none');
    await pass();
    expect(await jobOf(post.targetId)).toBe('none');
    expect(await repositoriesOver(pipeline.sql).targets.claim(post.targetId, 30)).toBeNull();
    expect((await targetsOf(pipeline, post.postId))[0].status).toBe('cancelled');
  });

  it('covers a target that comes due between the due scan and the lookahead scan', async () => {
    const post = await postDueIn(HOUR);
    await pipeline.redis.flush();
    const repository = scheduler.get(PostTargetRepository);
    const findDue = repository.findDue.bind(repository);
    repository.findDue = async (...args): Promise<DueTarget[]> => {
      const page = await findDue(...args);
      // Its time comes as the due scan ends, as if that scan had taken an hour.
      await pipeline.sql.query(
        `UPDATE post_targets SET next_attempt_at = now() - interval '1 millisecond' WHERE id = $1`,
        [post.targetId],
      );
      return page;
    };
    try {
      await pass();
    } finally {
      repository.findDue = findDue;
    }
    expect(await jobOf(post.targetId)).toBe('not delayed');
  });

  describe('racing a PATCH', () => {
    /**
     * Runs a pass in which the PATCH lands right after the scheduler read the target's old time, and
     * its job is then missing, as when the scheduler's add falls between the API's remove and add
     * (the API's add is then ignored, the job id being taken): the scheduler adds at the old time.
     */
    async function passRacing(targetId: string, patch: () => Promise<void>): Promise<RequeueSummary> {
      const repository = scheduler.get(PostTargetRepository);
      const read = repository.findDueBetween.bind(repository);
      let raced = false;
      repository.findDueBetween = async (...args): Promise<DueTarget[]> => {
        const page = await read(...args);
        if (!raced && page.some((target) => target.id === targetId)) {
          raced = true;
          await patch();
          await scheduler.get<Queue>(getQueueToken(POST_QUEUE)).remove(targetId);
        }
        return page;
      };
      try {
        const summary = await pass();
        expect(raced).toBe(true);
        return summary;
      } finally {
        repository.findDueBetween = read;
      }
    }

    const reschedule = (postId: string, publishAt: Date) => async () => {
      const patched = await pipeline.workspace.api.patch(`/v1/posts/${postId}`, { publishAt: publishAt.toISOString() });
      expect(patched.status).toBe(200);
    };

    it('ends with the job at the new time when the PATCH brings the post forward', async () => {
      const post = await postDueIn(2 * HOUR);
      await pipeline.redis.flush();
      const sooner = new Date(post.publishAt.getTime() - HOUR);
      const summary = await passRacing(post.targetId, reschedule(post.postId, sooner));
      expect(summary.ahead.moved).toBe(1);
      await expectDelayedUntil(post.targetId, sooner);
    });

    it('never publishes early when the PATCH puts the post off: the job left early waits for the new time', async () => {
      const post = await postDueIn(HOUR);
      await pipeline.redis.flush();
      const later = new Date(post.publishAt.getTime() + HOUR);
      await passRacing(post.targetId, reschedule(post.postId, later));
      await expectDelayedUntil(post.targetId, post.publishAt);

      // Run the early job now, as it will run at the old time: the worker finds the target not due
      // and parks the job until the new time, without publishing.
      await scheduler.get<Queue>(getQueueToken(POST_QUEUE)).getBackend().promote(post.targetId);
      await pipeline.startWorker();
      try {
        await eventually(
          async () => {
            const runAt = await jobOf(post.targetId);
            return runAt instanceof Date && runAt.getTime() >= later.getTime() ? runAt : undefined;
          },
          { what: 'the worker to park the early job until the new time' },
        );
      } finally {
        await pipeline.stopWorker();
      }
      const [target] = await targetsOf(pipeline, post.postId);
      expect(target).toMatchObject({ status: 'scheduled', attempts: 0 });
      expect(target.next_attempt_at).toEqual(later);
    });
  });

  describe('the cost of a pass in Redis', () => {
    /** What the scheduler sends to Redis during `work`. */
    async function trafficOf(work: () => Promise<unknown>): Promise<RedisTraffic> {
      const watch = await watchRedisTraffic(scheduler.get<Queue>(getQueueToken(POST_QUEUE)));
      try {
        await work();
      } catch (error) {
        watch.stop();
        throw error;
      }
      return watch.stop();
    }

    /** Exactly `count` targets due within the window, spread over the next hours; every other target settled. */
    async function onlyTargetsDueLater(count: number): Promise<string[]> {
      await pipeline.sql.query(
        `UPDATE post_targets SET status = 'cancelled', next_attempt_at = NULL WHERE status <> 'cancelled'`,
      );
      const account = await newAccount(pipeline.workspace);
      const rows = await pipeline.sql.query<{ id: string }[]>(
        `WITH posts AS (
           INSERT INTO posts (workspace_id, content, publish_at, max_lateness_seconds, status)
           SELECT $1, 'later ' || g, now() + interval '1 hour' + g * interval '1 second', 3600, 'scheduled'
             FROM generate_series(1, $3::int) g
           RETURNING id, publish_at)
         INSERT INTO post_targets (post_id, account_id, platform, status, due_at, next_attempt_at)
         SELECT id, $2, 'x', 'scheduled', publish_at, publish_at FROM posts
         RETURNING id`,
        [pipeline.workspace.id, account.id, count],
      );
      return rows.map((row) => row.id);
    }

    async function measure(count: number): Promise<{ afterFlush: RedisTraffic; steady: RedisTraffic }> {
      await onlyTargetsDueLater(count);
      await pipeline.redis.flush();
      let recreated: RequeueSummary | undefined;
      const afterFlush = await trafficOf(async () => (recreated = await pass()));
      expect(recreated?.ahead.added).toBe(count);
      let checked: RequeueSummary | undefined;
      const steady = await trafficOf(async () => (checked = await pass()));
      expect(checked?.ahead).toMatchObject({ added: 0, alive: count });
      return { afterFlush, steady };
    }

    it('stays the same whether a batch holds 10 targets or 500', async () => {
      const small = await measure(10);
      const large = await measure(500);
      // Checking jobs that exist takes the same commands for 500 targets as for 10.
      expect(Math.abs(large.steady.commands - small.steady.commands)).toBeLessThanOrEqual(2);
      expect(large.steady.roundTrips).toBeLessThanOrEqual(small.steady.roundTrips + 2);
      // Recreating them after a flush sends one command per job, all in the same round trips.
      expect(large.afterFlush.roundTrips).toBeLessThanOrEqual(small.afterFlush.roundTrips + 2);
      expect(large.afterFlush.commands).toBeGreaterThan(small.afterFlush.commands);
      // Every job waits in the prioritized set, where the script finds it: no list is read.
      expect(large.steady.byName.get('lrange')).toBeUndefined();
    });

    /** A pass over `count` targets due later whose jobs wait in BullMQ's wait list, as a dead worker leaves them. */
    async function passOverJobsInWaitList(count: number): Promise<RedisTraffic> {
      const ids = await onlyTargetsDueLater(count);
      await pipeline.redis.flush();
      const queue = scheduler.get<Queue>(getQueueToken(POST_QUEUE));
      // Without a priority BullMQ puts a job in the wait list, where it also moves a stalled job whatever its priority.
      await queue.addBulk(ids.map((id) => ({ name: PUBLISH_TARGET_JOB, data: { targetId: id }, opts: { jobId: id } })));
      expect(await queue.getWaitingCount()).toBe(count);
      let checked: RequeueSummary | undefined;
      const traffic = await trafficOf(async () => (checked = await pass()));
      expect(checked?.ahead).toMatchObject({ alive: count, added: 0, replaced: 0, error: 0 });
      return traffic;
    }

    it('reads the wait list once per pass, not once per batch, however long it is', async () => {
      const { batchSize } = scheduler.get(AppConfig).scheduler;
      const one = await passOverJobsInWaitList(batchSize);
      const three = await passOverJobsInWaitList(3 * batchSize);
      // One MULTI reading the wait, paused and active lists, in each pass.
      expect(one.byName.get('lrange')).toBe(3);
      expect(three.byName.get('lrange')).toBe(3);
      // Each batch more costs its one round trip, the script.
      expect(three.roundTrips - one.roundTrips).toBe(2);
    });
  });
});
