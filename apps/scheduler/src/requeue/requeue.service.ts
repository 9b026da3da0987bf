import { Injectable, Logger } from '@nestjs/common';
import {
  AppConfig,
  PostQueue,
  PostTargetRepository,
  ranksWithinGroups,
  type DueCursor,
  type DueTarget,
  type RequeueOutcome,
} from '@app/shared';
import { RequeueProgress } from './requeue-progress.js';
import { SchedulerLock } from './scheduler-lock.js';

export type RequeueSummary = Record<RequeueOutcome, number>;

const emptySummary = (): RequeueSummary => ({ added: 0, promoted: 0, retried: 0, replaced: 0, alive: 0, error: 0 });

/**
 * The safety net: finds every target that should be publishing by now, according to PostgreSQL,
 * and makes sure Redis holds a runnable job for it. A lost job, a flushed Redis or a dead worker
 * therefore delays a post by at most one tick; it never loses it. It only decides and enqueues.
 */
@Injectable()
export class RequeueService {
  private readonly logger = new Logger(RequeueService.name);

  constructor(
    private readonly targets: PostTargetRepository,
    private readonly queue: PostQueue,
    private readonly lock: SchedulerLock,
    private readonly progress: RequeueProgress,
    private readonly config: AppConfig,
  ) {}

  /** 'busy': another replica holds the lock, and covers every due target. Both count as progress. */
  async requeueDue(): Promise<RequeueSummary | 'busy'> {
    try {
      const result = await this.lock.runExclusive(async () => {
        // A pass that could not enqueue is no progress, even with nothing due (see the liveness check).
        await this.queue.checkReachable();
        const summary = emptySummary();
        // Ranks go on from page to page: each workspace's oldest targets first, every workspace's first before anyone's next.
        const ranked = new Map<string, number>();
        await this.sweep((limit, after) => this.targets.findDue(limit, after), summary, ranked);
        await this.sweep((limit, after) => this.targets.findExpiredLeases(limit, after), summary, ranked);
        const changed = summary.added + summary.promoted + summary.retried + summary.replaced;
        if (changed > 0 || summary.error > 0) this.logger.log(`Requeue pass: ${JSON.stringify(summary)}`);
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
    summary: RequeueSummary,
    ranked: Map<string, number>,
  ): Promise<void> {
    const { batchSize } = this.config.scheduler;
    let after: DueCursor | undefined;
    for (;;) {
      const due = await page(batchSize, after);
      if (due.length === 0) return;
      const workspaces = await this.targets.workspacesOf(due.map((target) => target.id));
      const ranks = ranksWithinGroups(workspaces, (workspace) => workspace, ranked);
      const outcomes = await this.queue.ensureRunnable(
        due.map((target, index) => ({ id: target.id, rank: ranks[index] })),
      );
      outcomes.forEach((outcome) => summary[outcome]++);
      const queued = due.filter((target, index) => target.status === 'scheduled' && outcomes[index] !== 'error');
      await this.targets.markQueued(queued.map((target) => target.id));
      // A long pass (a backlog after an outage) is progress too, as long as its batches get through.
      if (outcomes.some((outcome) => outcome !== 'error')) this.progress.progressed();
      if (due.length < batchSize) return;
      const last = due[due.length - 1];
      after = { dueAt: last.dueAt, id: last.id };
    }
  }
}
