import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DueRanks } from './due-ranks.js';
import { publishJobOptions } from './publish-job-options.js';
import type { PublishTargetJob } from './publish-target.job.js';
import { POST_QUEUE, PUBLISH_TARGET_JOB } from './queue.constants.js';

export type RequeueOutcome = 'added' | 'promoted' | 'retried' | 'replaced' | 'alive' | 'error';

export interface ScheduledTarget {
  id: string;
  runAt: Date;
}

/** A due target the scheduler found, with its rank in the scheduler's pass (see publish-priority.ts). */
export interface RankedTarget {
  id: string;
  rank: number;
}

/**
 * How long a caller waits on Redis. BullMQ waits for a connection indefinitely; the API and the
 * scheduler must not, since PostgreSQL already holds everything they are about to enqueue.
 */
const REDIS_PATIENCE_MS = 1_000;

/** The only place that puts publish jobs into Redis, or takes them out. */
@Injectable()
export class PostQueue {
  private readonly logger = new Logger(PostQueue.name);
  private lastConnectionWarning = 0;

  constructor(
    @InjectQueue(POST_QUEUE) private readonly queue: Queue<PublishTargetJob>,
    private readonly ranks: DueRanks,
  ) {
    queue.on('error', (error: Error) => this.warnConnection(error));
  }

  /** Adds one delayed job per new target of the workspace, ranked among its targets due at the same instant. */
  async schedule(workspaceId: string, targets: ScheduledTarget[]): Promise<void> {
    if (targets.length === 0) return;
    const ranks = await this.ranks.next(
      workspaceId,
      targets.map((target) => target.runAt),
    );
    await withPatience(
      this.queue.addBulk(targets.map((target, index) => this.job(target.id, target.runAt, ranks[index]))),
    );
  }

  /**
   * Moves the jobs of rescheduled targets to their new time. A job a worker holds right now cannot be
   * removed; that is fine, because the worker's claim re-checks the time in PostgreSQL.
   */
  async reschedule(workspaceId: string, targets: ScheduledTarget[]): Promise<void> {
    await this.remove(targets.map((target) => target.id));
    await this.schedule(workspaceId, targets);
  }

  /** Best effort: a job left behind finds its target cancelled and does nothing. */
  async remove(targetIds: string[]): Promise<void> {
    await Promise.all(
      targetIds.map((id) =>
        withPatience(this.queue.remove(id)).catch((error: unknown) => {
          this.logger.debug(`Job ${id} not removed: ${(error as Error).message}`);
        }),
      ),
    );
  }

  /**
   * Makes sure each due target has a job that will run now. BullMQ ignores `add` for a job id that
   * still exists in any state, so this looks at the existing job first. A job it adds gets the
   * target's rank; an existing job keeps the priority it was added with.
   */
  async ensureRunnable(targets: RankedTarget[]): Promise<RequeueOutcome[]> {
    await withPatience(this.queue.waitUntilReady());
    return Promise.all(targets.map((target) => this.ensureOneRunnable(target)));
  }

  /** Throws when Redis cannot answer in time. */
  async checkReachable(): Promise<void> {
    await withPatience(this.queue.getJobCounts('wait'));
  }

  private async ensureOneRunnable({ id: targetId, rank }: RankedTarget): Promise<RequeueOutcome> {
    try {
      const job = await this.queue.getJob(targetId);
      if (!job) {
        await this.addNow(targetId, rank);
        return 'added';
      }
      switch (await job.getState()) {
        case 'delayed':
          await job.promote();
          return 'promoted';
        case 'failed':
          await job.retry('failed');
          return 'retried';
        case 'completed':
        case 'unknown':
          await job.remove();
          await this.addNow(targetId, rank);
          return 'replaced';
        case 'active':
        case 'waiting':
        case 'prioritized':
        case 'waiting-children':
          return 'alive';
        default:
          // A state this BullMQ version does not declare: leave the job alone rather than guess.
          return 'alive';
      }
    } catch (error) {
      this.logger.warn(`Could not requeue target ${targetId}: ${(error as Error).message}`);
      return 'error';
    }
  }

  /** Redis being down is expected and handled; say so once a minute, not on every reconnect attempt. */
  private warnConnection(error: Error): void {
    if (Date.now() - this.lastConnectionWarning < 60_000) return;
    this.lastConnectionWarning = Date.now();
    this.logger.warn(`Redis unavailable: ${error.message}`);
  }

  private async addNow(targetId: string, rank: number): Promise<void> {
    const { name, data, opts } = this.job(targetId, new Date(0), rank);
    await this.queue.add(name, data, opts);
  }

  private job(targetId: string, runAt: Date, rank: number) {
    return { name: PUBLISH_TARGET_JOB, data: { targetId }, opts: publishJobOptions(targetId, runAt, rank) };
  }
}

async function withPatience<T>(operation: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis did not answer within ${REDIS_PATIENCE_MS} ms`)),
      REDIS_PATIENCE_MS,
    );
  });
  try {
    return await Promise.race([operation, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
