import type { JobsOptions } from 'bullmq';

/**
 * The options of every publish job, built in this one place.
 * - `jobId` is the target id, so a target never has two jobs at once.
 * - `attempts`/`backoff` only cover infrastructure failures (say, PostgreSQL unreachable while
 *   claiming). Platform retries are counted in PostgreSQL, which survives a Redis flush.
 */
export function publishJobOptions(targetId: string, runAt: Date, now = Date.now()): JobsOptions {
  return {
    jobId: targetId,
    delay: Math.max(0, runAt.getTime() - now),
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
