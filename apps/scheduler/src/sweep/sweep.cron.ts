import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@app/shared';
import { runEveryTick } from '../common/non-overlapping-cron.js';
import { SweepService } from './sweep.service.js';

/** Runs a sweep pass on SWEEP_CRON. */
@Injectable()
export class SweepCron implements OnApplicationBootstrap {
  private readonly logger = new Logger(SweepCron.name);

  constructor(
    private readonly sweeper: SweepService,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    runEveryTick(this.registry, {
      name: 'Sweep pass',
      cronTime: this.config.scheduler.sweepCron,
      logger: this.logger,
      pass: () => this.sweeper.sweep(),
    });
  }
}
