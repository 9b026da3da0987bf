import { Injectable, Logger } from '@nestjs/common';
import {
  AccountCredentialsService,
  PostTargetRepository,
  SocialAccountRepository,
  type ClaimedTarget,
  type PublishedPost,
} from '@app/shared';
import type { AccountEffect, AttemptEnd } from './publish-decisions.js';
import type { PublishOutcome } from './publish-outcome.js';

/** What a job reports once its attempt lost the target to a successor. */
export const TAKEN_OVER: PublishOutcome = { kind: 'skipped', reason: 'another worker took the target over' };

/**
 * The one place that writes how an attempt went. Every write on the target is fenced by the claim's
 * attempt number and reports whether this worker still held the target: when it did not, a successor
 * owns it, so nothing more is written or announced for this attempt.
 */
@Injectable()
export class AttemptRecorder {
  private readonly logger = new Logger(AttemptRecorder.name);

  constructor(
    private readonly targets: PostTargetRepository,
    private readonly accounts: SocialAccountRepository,
    private readonly credentials: AccountCredentialsService,
  ) {}

  async end(claim: ClaimedTarget, end: AttemptEnd): Promise<PublishOutcome> {
    const error = end.record.error ?? (end.kind === 'settle' ? end.status : end.record.outcome);
    // The account first: the platform's answer is about the account whoever owns the target now, and
    // whoever then sees the target settled also sees the account paused or needing reconnection.
    await this.applyToAccount(claim, end.account);
    if (!(await this.write(claim, end))) return this.leaseLost(claim, `its outcome (${end.record.outcome}: ${error})`);
    switch (end.kind) {
      case 'settle':
        this.logger.warn(`${attemptOf(claim)} ${end.status}: ${error}`);
        return { kind: 'settled', status: end.status, error };
      case 'retry':
        this.logger.warn(`${attemptOf(claim)} failed, retrying at ${end.at.toISOString()}: ${error}`);
        return { kind: 'retry', at: end.at, error };
      case 'check-later':
        this.logger.warn(`${attemptOf(claim)}: outcome unknown, checking at ${end.at.toISOString()}: ${error}`);
        return { kind: 'retry', at: end.at, error };
    }
  }

  /** Gives the target back untried, due at `until` (see PostTargetRepository.release): not an attempt. */
  async wait(claim: ClaimedTarget, until: Date): Promise<PublishOutcome> {
    if (!(await this.targets.release(claim, until)))
      return this.leaseLost(claim, `its wait until ${until.toISOString()}`);
    this.logger.debug(`${attemptOf(claim)}: paced, publishing at ${until.toISOString()}`);
    return { kind: 'wait', until };
  }

  /**
   * Records the thread's parts on the platform so far (and extends the lease for the next one).
   * False when the target was taken over: its successor will find these parts on the platform.
   */
  async partsPublished(claim: ClaimedTarget, parts: PublishedPost[], leaseSeconds: number): Promise<boolean> {
    if (await this.targets.recordParts(claim, parts, leaseSeconds)) return true;
    this.leaseLost(claim, `part ${parts.length} (${parts[parts.length - 1].platformPostId})`);
    return false;
  }

  /** Records the publication with all its parts (`parts[0]` is the post). */
  async published(claim: ClaimedTarget, parts: PublishedPost[], recovered: boolean): Promise<PublishOutcome> {
    const [post] = parts;
    if (!(await this.targets.markPublished(claim, parts, recovered ? 'recovered' : 'published'))) {
      return this.leaseLost(claim, `its publication as ${post.platformPostId}`);
    }
    this.logger.log(`${attemptOf(claim)}: published on ${claim.platform} as ${post.platformPostId}`);
    return { kind: 'published', ...post, recovered };
  }

  private write(claim: ClaimedTarget, end: AttemptEnd): Promise<boolean> {
    switch (end.kind) {
      case 'retry':
        return this.targets.markForRetry(claim, end.record, end.at);
      case 'check-later':
        return this.targets.markUnknown(claim, end.record, end.at);
      case 'settle':
        switch (end.status) {
          case 'failed':
            return this.targets.markFailed(claim, end.record);
          case 'missed':
            return this.targets.markMissed(claim, end.record);
          case 'unknown':
            return this.targets.markUnknown(claim, end.record, null);
        }
    }
  }

  private async applyToAccount(claim: ClaimedTarget, effect: AccountEffect | undefined): Promise<void> {
    if (effect?.kind === 'rate-limited') await this.accounts.rateLimitAccount(claim.accountId, effect.until);
    if (effect?.kind === 'credentials-rejected') await this.credentials.markRejected(claim.accountId, effect.reason);
  }

  private leaseLost(claim: ClaimedTarget, what: string): PublishOutcome {
    this.logger.warn(
      `${attemptOf(claim)} lost its lease: another worker took the target over and owns it now; ${what} was not recorded by this attempt`,
    );
    return TAKEN_OVER;
  }
}

/** Names the attempt with the ids that follow it across processes. */
export const attemptOf = (claim: ClaimedTarget): string =>
  `Target ${claim.id} (post ${claim.postId}, account ${claim.accountId}) attempt ${claim.attempt}`;
