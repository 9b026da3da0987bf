import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, parsePublishTargetJob, POST_QUEUE, type PublishTargetJob } from '@app/shared';
import { DelayedError, Job } from 'bullmq';
import type { PublishOutcome } from './publish-outcome.js';
import { PublishTargetService } from './publish-target.service.js';

/**
 * Consumes `post-queue`. Worker options here are static (decorator metadata); what depends on
 * configuration (concurrency) is applied at bootstrap, before the worker starts taking jobs.
 * A dead worker's job is recovered by BullMQ's stall check within lockDuration + stalledInterval.
 */
@Processor(POST_QUEUE, { autorun: false, lockDuration: 20_000, stalledInterval: 10_000, maxStalledCount: 2 })
export class PublishTargetProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(PublishTargetProcessor.name);

  constructor(
    private readonly publisher: PublishTargetService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.worker.concurrency;
    this.worker.on('error', (error) => this.logger.warn(`Queue connection: ${error.message}`));
    this.worker.run().catch((error: unknown) => this.logger.error(`Worker stopped: ${(error as Error).message}`));
    this.logger.log(`Consuming ${POST_QUEUE} with concurrency ${this.config.worker.concurrency}`);
  }

  async process(job: Job<PublishTargetJob>, token?: string): Promise<PublishOutcome> {
    const { targetId } = parsePublishTargetJob(job.data);
    const outcome = await this.publisher.publish(targetId);
    switch (outcome.kind) {
      case 'published':
      case 'settled':
      case 'skipped':
        return outcome;
      case 'retry':
        return this.delay(job, token, outcome.at);
      case 'wait':
        return this.delay(job, token, outcome.until);
    }
  }

  /** Retries are counted in PostgreSQL, so the job is parked until then rather than failed and retried. */
  private async delay(job: Job, token: string | undefined, until: Date): Promise<never> {
    await job.moveToDelayed(until.getTime(), token);
    throw new DelayedError();
  }
}
