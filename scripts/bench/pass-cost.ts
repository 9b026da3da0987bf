import { Queue } from 'bullmq';
import {
  AppConfig,
  DueRanks,
  FailFastRedis,
  ListedJobs,
  loadEnvironment,
  POST_QUEUE,
  PostQueue,
  PUBLISH_TARGET_JOB,
  publishJobOptions,
  type PublishTargetJob,
} from '@app/shared';
import { watchRedisTraffic } from '../../test/support/redis-traffic.js';
import type { BenchStack } from './stack.js';
import { spread } from './stats.js';

const BATCH = 500;
/** The queue sizes compared: the pass goes over every waiting job, so its batches grow with the queue. */
export const PASS_SIZES = [10_000, 100_000];

/** Where the jobs wait: as Herald adds them (prioritized), or in the wait list, as a dead worker leaves them. */
export type JobPlace = 'prioritized' | 'wait list';

export interface PassFigures {
  place: JobPlace;
  waiting: number;
  batches: number;
  passMs: number;
  batchMs: { p50: number; max: number };
  roundTripsPerBatch: number;
}

/**
 * The Redis side of a requeue pass over targets that are all due and whose jobs all wait (what the
 * scheduler meets at the top of the hour): PostQueue.ensureJobs batch after batch, as RequeueService
 * calls it, timed per batch and with its round trips counted, on a queue of its own in the bench's Redis.
 */
export async function measurePassCost(stack: BenchStack, place: JobPlace, waiting: number): Promise<PassFigures> {
  const config = new AppConfig(loadEnvironment(stack.environment));
  const redis = new FailFastRedis(config);
  const queue = new Queue<PublishTargetJob>(POST_QUEUE, {
    prefix: `bench-pass-${waiting}`,
    connection: { url: stack.redis.url },
  });
  try {
    const ids = Array.from({ length: waiting }, (_, n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);
    for (let i = 0; i < waiting; i += BATCH) {
      await queue.addBulk(
        ids.slice(i, i + BATCH).map((id, n) => {
          const options = publishJobOptions(id, new Date(0), i + n + 1);
          return {
            name: PUBLISH_TARGET_JOB,
            data: { targetId: id },
            // Without a priority BullMQ puts the job in the wait list, where it also moves stalled jobs.
            opts: place === 'prioritized' ? options : { ...options, priority: undefined },
          };
        }),
      );
    }
    const postQueue = new PostQueue(queue, new DueRanks(redis, config));
    const traffic = await watchRedisTraffic(queue);
    const listed = new ListedJobs();
    const timings: number[] = [];
    const started = performance.now();
    for (let i = 0; i < waiting; i += BATCH) {
      const t0 = performance.now();
      const outcomes = await postQueue.ensureJobs(
        ids.slice(i, i + BATCH).map((id, n) => ({ id, runAt: 'now', rank: i + n + 1 })),
        listed,
      );
      timings.push(performance.now() - t0);
      const other = outcomes.find((outcome) => outcome !== 'alive');
      if (other) throw new Error(`pass cost: a waiting job was found ${other}`);
    }
    const passMs = performance.now() - started;
    const { p50, max } = spread(timings);
    return {
      place,
      waiting,
      batches: timings.length,
      passMs,
      batchMs: { p50, max },
      roundTripsPerBatch: traffic.stop().roundTrips / timings.length,
    };
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
    redis.onModuleDestroy();
  }
}
