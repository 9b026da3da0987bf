import { AppConfig } from '../../config/app-config.js';
import { NotPublishedError } from './graph-errors.js';

/**
 * How long a publish may spend on the steps before the call that creates the post (photo uploads,
 * Instagram containers). The worker owns a target for PUBLISH_LEASE_SECONDS from its claim; a publish still
 * running after that could be taken over and posted twice. So the creating call must start while there is
 * time for it to run out its whole timeout, plus half a timeout to spare for recording the result.
 */
export class PreparationDeadline {
  private constructor(private readonly at: number) {}

  static start(config: AppConfig, now: number = Date.now()): PreparationDeadline {
    const budgetMs = config.publishing.leaseSeconds * 1000 - 1.5 * config.publishing.platformTimeoutMs;
    return new PreparationDeadline(now + budgetMs);
  }

  remainingMs(now: number = Date.now()): number {
    return Math.max(0, this.at - now);
  }

  /** Throws (nothing was published, so retrying is safe) when the post could no longer be created in time. */
  check(): void {
    if (this.remainingMs() === 0) {
      throw new NotPublishedError(
        'Preparing the media took too long to create the post safely within the publish lease',
      );
    }
  }
}
