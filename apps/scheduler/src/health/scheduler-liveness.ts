import { Injectable } from '@nestjs/common';
import { AppConfig, LivenessIndicator, type LivenessCheck, type LivenessDetails } from '@app/shared';
import { MISSED_TICKS, RequeueProgress } from '../requeue/requeue-progress.js';

/**
 * A scheduler is live while its requeue passes make progress (see {@link RequeueProgress}). A pass
 * fails when PostgreSQL or Redis does, so this covers both without probing them separately.
 */
@Injectable()
export class SchedulerLiveness extends LivenessIndicator {
  constructor(
    private readonly progress: RequeueProgress,
    private readonly config: AppConfig,
  ) {
    super();
  }

  checks(): Record<string, LivenessCheck> {
    return { requeue: () => this.checkRequeue() };
  }

  private checkRequeue(): LivenessDetails {
    const { stuck, lastProgressAt, deadline, lastFailure } = this.progress.health();
    if (stuck) {
      const since = lastProgressAt ? `since ${lastProgressAt.toISOString()}` : 'since start-up';
      throw new Error(
        `no requeue progress ${since}: ${MISSED_TICKS} ticks of "${this.config.scheduler.cron}" missed` +
          (lastFailure ? `; last failure: ${lastFailure}` : ''),
      );
    }
    return {
      lastProgressAt: lastProgressAt?.toISOString() ?? null,
      deadline: deadline.toISOString(),
      ...(lastFailure ? { lastFailure } : {}),
    };
  }
}
