import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@app/shared';
import { CronJob } from 'cron';
import { RequeueProgress } from './requeue-progress.js';
import { RequeueService } from './requeue.service.js';

/**
 * Runs a requeue pass on SCHEDULER_CRON (registered at boot because the expression is configuration).
 * A pass still running when the next tick fires makes that tick a no-op instead of overlapping it.
 */
@Injectable()
export class RequeueCron implements OnApplicationBootstrap {
  private readonly logger = new Logger(RequeueCron.name);
  private running = false;

  constructor(
    private readonly requeue: RequeueService,
    private readonly registry: SchedulerRegistry,
    private readonly progress: RequeueProgress,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({ cronTime: this.config.scheduler.cron, onTick: () => this.tick(), start: true });
    this.registry.addCronJob('requeue-due-targets', job);
    this.progress.started();
    this.logger.log(`Requeueing due posts on "${this.config.scheduler.cron}"`);
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.requeue.requeueDue();
    } catch (error) {
      this.logger.warn(`Requeue pass failed, will retry next tick: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
