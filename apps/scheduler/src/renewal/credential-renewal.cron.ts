import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@app/shared';
import { runEveryTick } from '../common/non-overlapping-cron.js';
import { CredentialRenewalService } from './credential-renewal.service.js';

/** Runs a credential renewal pass on SCHEDULER_CRON. */
@Injectable()
export class CredentialRenewalCron implements OnApplicationBootstrap {
  private readonly logger = new Logger(CredentialRenewalCron.name);

  constructor(
    private readonly renewal: CredentialRenewalService,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    runEveryTick(this.registry, {
      name: 'Credential renewal pass',
      cronTime: this.config.scheduler.cron,
      logger: this.logger,
      pass: () => this.renewal.renewDue(),
    });
  }
}
