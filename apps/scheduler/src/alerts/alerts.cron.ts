import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@app/shared';
import { runEveryInterval } from '../common/non-overlapping-cron.js';
import { AlertsService } from './alerts.service.js';

/** Runs an alerts pass every ALERTS_INTERVAL_SECONDS. */
@Injectable()
export class AlertsCron implements OnApplicationBootstrap {
  private readonly logger = new Logger(AlertsCron.name);

  constructor(
    private readonly alerts: AlertsService,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    runEveryInterval(this.registry, {
      name: 'Alerts pass',
      seconds: this.config.alerts.intervalSeconds,
      logger: this.logger,
      pass: () => this.alerts.runPass(),
    });
  }
}
