import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@app/shared';
import { runEveryTick } from '../common/non-overlapping-cron.js';
import { RequeueProgress } from './requeue-progress.js';
import { RequeueService } from './requeue.service.js';

/** Runs a requeue pass on SCHEDULER_CRON. */
@Injectable()
export class RequeueCron implements OnApplicationBootstrap {
  private readonly logger = new Logger(RequeueCron.name);

  constructor(
    private readonly requeue: RequeueService,
    private readonly registry: SchedulerRegistry,
    private readonly progress: RequeueProgress,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    runEveryTick(this.registry, {
      name: 'Requeue pass',
      cronTime: this.config.scheduler.cron,
      logger: this.logger,
      pass: () => this.requeue.requeueDue(),
    });
    this.progress.started();
    this.logger.log(`Requeueing due posts on "${this.config.scheduler.cron}"`);
  }
}
