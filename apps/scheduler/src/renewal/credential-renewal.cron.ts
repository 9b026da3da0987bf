import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@app/shared';
import { CronJob } from 'cron';
import { CredentialRenewalService } from './credential-renewal.service.js';

/** Runs a renewal pass on SCHEDULER_CRON; a pass still running makes the next tick a no-op. */
@Injectable()
export class CredentialRenewalCron implements OnApplicationBootstrap {
  private readonly logger = new Logger(CredentialRenewalCron.name);
  private running = false;

  constructor(
    private readonly renewal: CredentialRenewalService,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({ cronTime: this.config.scheduler.cron, onTick: () => this.tick(), start: true });
    this.registry.addCronJob('renew-credentials', job);
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.renewal.renewDue();
    } catch (error) {
      this.logger.warn(`Credential renewal pass failed, will retry next tick: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
