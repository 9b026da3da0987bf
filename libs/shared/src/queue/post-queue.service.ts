import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { publishJobOptions } from './publish-job-options.js';
import type { PublishTargetJob } from './publish-target.job.js';
import { POST_QUEUE, PUBLISH_TARGET_JOB } from './queue.constants.js';

export type RequeueOutcome = 'added' | 'promoted' | 'retried' | 'replaced' | 'alive' | 'error';

export interface ScheduledTarget {
  id: string;
  runAt: Date;
}

/** The only place that puts publish jobs into Redis, or takes them out. */
@Injectable()
export class PostQueue {
  private readonly logger = new Logger(PostQueue.name);

  constructor(@InjectQueue(POST_QUEUE) private readonly queue: Queue<PublishTargetJob>) {}

  /** Adds one delayed job per new target. */
  async schedule(targets: ScheduledTarget[]): Promise<void> {
    if (targets.length === 0) return;
    await this.queue.addBulk(targets.map((target) => this.job(target.id, target.runAt)));
  }

  /**
   * Moves the jobs of rescheduled targets to their new time. A job a worker holds right now cannot be
   * removed; that is fine, because the worker's claim re-checks the time in PostgreSQL.
   */
  async reschedule(targets: ScheduledTarget[]): Promise<void> {
    await this.remove(targets.map((target) => target.id));
    await this.schedule(targets);
  }

  /** Best effort: a job left behind finds its target cancelled and does nothing. */
  async remove(targetIds: string[]): Promise<void> {
    await Promise.all(
      targetIds.map((id) =>
        this.queue.remove(id).catch((error: unknown) => {
          this.logger.debug(`Job ${id} not removed: ${(error as Error).message}`);
        }),
      ),
    );
  }

  /**
   * Makes sure each due target has a job that will run now. BullMQ ignores `add` for a job id that
   * still exists in any state, so this looks at the existing job first.
   */
  async ensureRunnable(targetIds: string[]): Promise<RequeueOutcome[]> {
    return Promise.all(targetIds.map((id) => this.ensureOneRunnable(id)));
  }

  /** Throws when Redis cannot answer (the producer connection fails fast instead of queueing). */
  async checkReachable(): Promise<void> {
    await this.queue.getJobCounts('wait');
  }

  private async ensureOneRunnable(targetId: string): Promise<RequeueOutcome> {
    try {
      const job = await this.queue.getJob(targetId);
      if (!job) {
        await this.addNow(targetId);
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
          await this.addNow(targetId);
          return 'replaced';
        default:
          return 'alive';
      }
    } catch (error) {
      this.logger.warn(`Could not requeue target ${targetId}: ${(error as Error).message}`);
      return 'error';
    }
  }

  private async addNow(targetId: string): Promise<void> {
    const { name, data, opts } = this.job(targetId, new Date(0));
    await this.queue.add(name, data, opts);
  }

  private job(targetId: string, runAt: Date) {
    return { name: PUBLISH_TARGET_JOB, data: { targetId }, opts: publishJobOptions(targetId, runAt) };
  }
}
