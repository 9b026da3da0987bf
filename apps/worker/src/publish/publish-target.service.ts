import { Injectable, Logger } from '@nestjs/common';
import {
  AppConfig,
  CredentialsCipher,
  PlatformRegistry,
  PostTargetRepository,
  type ClaimedTarget,
  type PlatformProvider,
  type PublishedPost,
  type PublishFailure,
} from '@app/shared';
import type { PublishOutcome } from './publish-outcome.js';
import { retryDelayMs } from './retry-delay.js';

/** A job that finds its target held by another worker looks again no sooner than this. */
const MIN_WAIT_MS = 1_000;
/** Margin for clocks when searching the platform for what an earlier attempt may have posted. */
const RECOVERY_SEARCH_MARGIN_MS = 60_000;

/**
 * Publishes one target: claim it in PostgreSQL, publish through its platform's provider, record the
 * outcome. PostgreSQL decides who may publish, so duplicate or stale jobs are harmless.
 */
@Injectable()
export class PublishTargetService {
  private readonly logger = new Logger(PublishTargetService.name);

  constructor(
    private readonly targets: PostTargetRepository,
    private readonly platforms: PlatformRegistry,
    private readonly cipher: CredentialsCipher,
    private readonly config: AppConfig,
  ) {}

  async publish(targetId: string): Promise<PublishOutcome> {
    const claim = await this.targets.claim(targetId, this.config.publishing.leaseSeconds);
    if (!claim) return this.notClaimed(targetId);

    if (claim.encryptedCredentials === null) {
      return this.fail(claim, 'The account was deleted');
    }
    const provider = this.platforms.get(claim.platform);
    let credentials: unknown;
    try {
      credentials = provider.parseCredentials(this.cipher.decrypt(claim.encryptedCredentials));
    } catch {
      return this.fail(claim, 'The stored credentials of the account are unreadable; reconnect the account');
    }

    let published: PublishedPost;
    let recovered: boolean;
    try {
      const earlier = await this.findEarlierPublication(claim, provider, credentials);
      recovered = earlier !== null;
      published = earlier ?? (await provider.publish(credentials, { content: claim.content }));
    } catch (error) {
      return this.handleFailure(claim, provider.classifyError(error));
    }
    // Outside the try: failing to record a success is not a platform failure. It propagates for BullMQ
    // to retry the job, and the next claim (once the lease lapses) finds the post instead of reposting it.
    return this.succeed(claim, published, recovered);
  }

  /**
   * A claim taken over from a worker that died while publishing may already be on the platform:
   * look before publishing again, so a crash never makes a post appear twice.
   */
  private async findEarlierPublication(
    claim: ClaimedTarget,
    provider: PlatformProvider,
    credentials: unknown,
  ): Promise<PublishedPost | null> {
    if (claim.previousStatus !== 'publishing') return null;
    const since = new Date((claim.previousAttemptStartedAt?.getTime() ?? Date.now()) - RECOVERY_SEARCH_MARGIN_MS);
    const found = await provider.findPublished(credentials, { content: claim.content }, since);
    if (found) this.logger.log(`Target ${claim.id}: an earlier attempt had published it as ${found.platformPostId}`);
    return found;
  }

  private async notClaimed(targetId: string): Promise<PublishOutcome> {
    const state = await this.targets.whyUnclaimable(targetId);
    if (!state) return { kind: 'skipped', reason: 'the target no longer exists' };
    if (!state.retryAt) return { kind: 'skipped', reason: `the target is ${state.status}` };
    return { kind: 'wait', until: new Date(Math.max(state.retryAt.getTime(), Date.now() + MIN_WAIT_MS)) };
  }

  private async succeed(claim: ClaimedTarget, post: PublishedPost, recovered: boolean): Promise<PublishOutcome> {
    if (!(await this.targets.markPublished(claim.id, claim.attempt, post))) {
      this.logger.warn(`Target ${claim.id}: published as ${post.platformPostId}, but another worker took it over`);
    }
    this.logger.log(`Target ${claim.id} published on ${claim.platform} as ${post.platformPostId}`);
    return { kind: 'published', ...post, recovered };
  }

  private async handleFailure(claim: ClaimedTarget, failure: PublishFailure): Promise<PublishOutcome> {
    const { maxAttempts, retryBaseDelayMs } = this.config.publishing;
    if (failure.kind === 'permanent') return this.fail(claim, failure.message);
    if (claim.attempt >= maxAttempts) {
      return this.fail(claim, `${failure.message} (gave up after ${claim.attempt} attempts)`);
    }
    const at = new Date(Date.now() + retryDelayMs(claim.attempt, retryBaseDelayMs, failure.retryAfterMs));
    await this.targets.markForRetry(claim.id, claim.attempt, failure.message, at);
    this.logger.warn(
      `Target ${claim.id} attempt ${claim.attempt} failed, retrying at ${at.toISOString()}: ${failure.message}`,
    );
    return { kind: 'retry', at, error: failure.message };
  }

  private async fail(claim: ClaimedTarget, error: string): Promise<PublishOutcome> {
    await this.targets.markFailed(claim.id, claim.attempt, error);
    this.logger.warn(`Target ${claim.id} failed: ${error}`);
    return { kind: 'failed', error };
  }
}
