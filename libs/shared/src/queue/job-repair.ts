/** What Redis holds for a target's job (see inspect-jobs.script.ts). */
export type JobFacts =
  | { state: 'missing' }
  | { state: 'delayed'; runAt: Date }
  /** `alive`: waiting, active or prioritized, so it runs soon; `unknown`: a job in no list, which never runs. */
  | { state: 'completed' | 'failed' | 'unknown' | 'alive' };

/**
 * What to do about a target's job, named after the outcome. `added`: add it; `promoted`: run the
 * delayed job now; `retried`: retry the failed job; `replaced`: remove the job and add a new one;
 * `moved`: make the delayed job run earlier, at the target's time; `alive`: nothing to do.
 */
export type JobRepair = 'added' | 'promoted' | 'retried' | 'replaced' | 'moved' | 'alive';

/**
 * A delayed job running this much after its target's time counts as on time: BullMQ stamps a job
 * with its own clock a moment after the delay is computed, so an exact comparison would move every job.
 */
export const LATE_TOLERANCE_MS = 1_000;

/**
 * The job a target needs: one that runs now when the target is due (`runAt` is 'now'), or one that
 * runs by `runAt` when it is due later. A job that would run early is left alone, since the claim
 * re-checks the time in PostgreSQL and the worker waits until then; a late one is moved.
 */
export function decideJobRepair(runAt: Date | 'now', job: JobFacts): JobRepair {
  switch (job.state) {
    case 'missing':
      return 'added';
    case 'alive':
      return 'alive';
    case 'completed':
    case 'unknown':
      return 'replaced';
    case 'failed':
      return runAt === 'now' ? 'retried' : 'replaced';
    case 'delayed':
      if (runAt === 'now') return 'promoted';
      return job.runAt.getTime() - runAt.getTime() > LATE_TOLERANCE_MS ? 'moved' : 'alive';
  }
}
