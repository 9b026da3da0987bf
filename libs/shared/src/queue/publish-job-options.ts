import type { JobsOptions } from 'bullmq';
import { priorityOfRank } from './publish-priority.js';

/**
 * The options of every publish job, built in this one place.
 * - `jobId` is the target id, so a target never has two jobs at once. BullMQ ignores adding a job
 *   whose id exists, so an existing job keeps its priority.
 * - `priority` comes from the target's rank (see publish-priority.ts); it stays with the job while it
 *   is delayed, promoted, parked by the worker (moveToDelayed) or retried.
 * - `attempts`/`backoff` only cover infrastructure failures (say, PostgreSQL unreachable while
 *   claiming). Platform retries are counted in PostgreSQL, which survives a Redis flush.
 */
export function publishJobOptions(targetId: string, runAt: Date, rank: number, now = Date.now()): JobsOptions {
  return {
    jobId: targetId,
    delay: Math.max(0, runAt.getTime() - now),
    priority: priorityOfRank(rank),
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
