import { Injectable, Logger } from '@nestjs/common';
import {
  AppConfig,
  ListedJobs,
  PostQueue,
  PostTargetRepository,
  ranksWithinGroups,
  type DueCursor,
  type DueTarget,
  type RequeueOutcome,
} from '@app/shared';
import { CronTime } from 'cron';
import { nthTickAfter, RequeueProgress } from './requeue-progress.js';
import { SchedulerLock } from '../common/scheduler-lock.js';

export type RequeueCounts = Record<RequeueOutcome, number>;

/** The due targets' outcomes; `ahead`, those of the targets due later within the lookahead window. */
export type RequeueSummary = RequeueCounts & { ahead: RequeueCounts };

const noCounts = (): RequeueCounts => ({
  added: 0,
  promoted: 0,
  retried: 0,
  replaced: 0,
  moved: 0,
  alive: 0,
  error: 0,
});

const LOOKAHEAD_OVERLAP_MS = 60_000;

/** Rounds of re-reading targets whose jobs a pass changed (see keepAhead); a longer race waits a tick. */
const VERIFY_ROUNDS = 3;

/**
 * The safety net: finds every target that should be publishing by now, according to PostgreSQL,
 * and makes sure Redis holds a runnable job for it; and every target due within the next
 * SCHEDULER_LOOKAHEAD_TICKS ticks, and makes sure Redis holds a job delayed until its time. A lost
 * job or a dead worker therefore delays a post by at most one tick, and a flushed Redis delays no
 * post due after the next tick; none is lost. It only decides and enqueues.
 */
@Injectable()
export class RequeueService {
  private readonly logger = new Logger(RequeueService.name);
  private readonly schedule: CronTime;

  constructor(
    private readonly targets: PostTargetRepository,
    private readonly queue: PostQueue,
    private readonly lock: SchedulerLock,
    private readonly progress: RequeueProgress,
    private readonly config: AppConfig,
  ) {
    this.schedule = new CronTime(config.scheduler.cron);
  }

  /** 'busy': another replica holds the lock, and covers every due target. Both count as progress. */
  async requeueDue(): Promise<RequeueSummary | 'busy'> {
    try {
      const result = await this.lock.runExclusive('requeue', async () => {
        // A pass that could not enqueue is no progress, even with nothing due (see the liveness check).
        await this.queue.checkReachable();
        const summary: RequeueSummary = { ...noCounts(), ahead: noCounts() };
        const start = new Date();
        const listed = new ListedJobs();
        // Ranks go on from page to page: each workspace's oldest targets first, every workspace's first before anyone's next.
        const dueRanks = new Map<string, number>();
        await this.sweep(
          (limit, after) => this.targets.findDue(limit, after),
          summary,
          (due) => this.keepDue(due, dueRanks, listed),
        );
        await this.sweep(
          (limit, after) => this.targets.findExpiredLeases(limit, after),
          summary,
          (due) => this.keepDue(due, dueRanks, listed),
        );
        // From a little before the due scan began, so a target that came due between the two scans is
        // in one of them whatever the clocks of PostgreSQL and this process; one in both is left alone.
        const from = new Date(start.getTime() - LOOKAHEAD_OVERLAP_MS);
        const until = nthTickAfter(this.schedule, start, this.config.scheduler.lookaheadTicks);
        const aheadRanks = new Map<string, number>();
        await this.sweep(
          (limit, after) => this.targets.findDueBetween(from, until, limit, after),
          summary.ahead,
          (later) => this.keepAhead(later, aheadRanks, listed),
        );
        if (changed(summary) || changed(summary.ahead)) this.logger.log(`Requeue pass: ${JSON.stringify(summary)}`);
        return summary;
      });
      this.progress.progressed();
      return result;
    } catch (error) {
      this.progress.failed(error);
      throw error;
    }
  }

  private async sweep(
    page: (limit: number, after?: DueCursor) => Promise<DueTarget[]>,
    counts: RequeueCounts,
    keep: (batch: DueTarget[]) => Promise<RequeueOutcome[]>,
  ): Promise<void> {
    const { batchSize } = this.config.scheduler;
    let after: DueCursor | undefined;
    for (;;) {
      const batch = await page(batchSize, after);
      if (batch.length === 0) return;
      const outcomes = await keep(batch);
      outcomes.forEach((outcome) => counts[outcome]++);
      // A long pass (a backlog after an outage) is progress too, as long as its batches get through.
      if (outcomes.some((outcome) => outcome !== 'error')) this.progress.progressed();
      if (batch.length < batchSize) return;
      const last = batch[batch.length - 1];
      after = { dueAt: last.dueAt, id: last.id };
    }
  }

  /** A job that runs now for each due target, which then counts as queued. */
  private async keepDue(due: DueTarget[], ranked: Map<string, number>, listed: ListedJobs): Promise<RequeueOutcome[]> {
    const ranks = await this.ranksOf(due, ranked);
    const outcomes = await this.queue.ensureJobs(
      due.map((target, index) => ({ id: target.id, runAt: 'now', rank: ranks[index] })),
      listed,
    );
    const queued = due.filter((target, index) => target.status === 'scheduled' && outcomes[index] !== 'error');
    await this.targets.markQueued(queued.map((target) => target.id));
    return outcomes;
  }

  /**
   * A job delayed until its time for each target due later. A change made from a time read before a
   * PATCH committed can overwrite the job the PATCH put in Redis (the scheduler adds between the API's
   * remove and add, so the API's add is ignored). Re-reading the changed targets afterwards sees that
   * PATCH, since it committed before the API touched Redis, and moves a job left late. One left early
   * is harmless: the claim re-checks the time in PostgreSQL and the worker waits until then.
   */
  private async keepAhead(
    later: DueTarget[],
    ranked: Map<string, number>,
    listed: ListedJobs,
  ): Promise<RequeueOutcome[]> {
    const ranks = await this.ranksOf(later, ranked);
    const rankOf = new Map(later.map((target, index) => [target.id, ranks[index]]));
    const outcomes = await this.queue.ensureJobs(
      later.map((target, index) => ({ id: target.id, runAt: target.dueAt, rank: ranks[index] })),
      listed,
    );
    let changedIds = later.filter((_, index) => CHANGES.has(outcomes[index])).map((target) => target.id);
    for (let round = 0; round < VERIFY_ROUNDS && changedIds.length > 0; round++) {
      const current = await this.targets.findAwaiting(changedIds);
      const again = await this.queue.ensureJobs(
        current.map((target) => ({ id: target.id, runAt: target.dueAt, rank: rankOf.get(target.id) ?? 1 })),
        listed,
      );
      again.filter((outcome) => outcome !== 'alive').forEach((outcome) => outcomes.push(outcome));
      changedIds = current.filter((_, index) => CHANGES.has(again[index])).map((target) => target.id);
    }
    return outcomes;
  }

  /** Each target's rank among its workspace's targets in this pass so far (see publish-priority.ts). */
  private async ranksOf(batch: DueTarget[], ranked: Map<string, number>): Promise<number[]> {
    const workspaces = await this.targets.workspacesOf(batch.map((target) => target.id));
    return ranksWithinGroups(workspaces, (workspace) => workspace, ranked);
  }
}

/** Outcomes that changed a job in Redis. */
const CHANGES = new Set<RequeueOutcome>(['added', 'promoted', 'retried', 'replaced', 'moved']);

const changed = (counts: RequeueCounts): boolean =>
  counts.error > 0 || [...CHANGES].some((outcome) => counts[outcome] > 0);
