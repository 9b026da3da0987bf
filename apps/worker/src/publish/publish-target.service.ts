import { Injectable, Logger } from '@nestjs/common';
import {
  AccountCredentialsService,
  AppConfig,
  DomainError,
  MediaService,
  MissingMediaError,
  PlatformRegistry,
  PostTargetRepository,
  SocialAccountRepository,
  type AttemptRecord,
  type ClaimedTarget,
  type MediaAttachment,
  type PlatformProvider,
  type PublishedPost,
  type PublishFailure,
  type PublishRequest,
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
 *
 * An attempt whose outcome is unknown (timeout, reset, 5xx, or a worker that died mid-publish) is
 * never blindly repeated: the next attempt first asks the platform whether the post exists. Only a
 * failure that proves the post did not land (connection refused, 429) is retried directly.
 *
 * A thread is published part by part, each part recorded as soon as the platform has it, so a
 * retry goes on after the last recorded part instead of posting the thread again.
 */
@Injectable()
export class PublishTargetService {
  private readonly logger = new Logger(PublishTargetService.name);

  constructor(
    private readonly targets: PostTargetRepository,
    private readonly accounts: SocialAccountRepository,
    private readonly platforms: PlatformRegistry,
    private readonly credentials: AccountCredentialsService,
    private readonly media: MediaService,
    private readonly config: AppConfig,
  ) {}

  async publish(targetId: string): Promise<PublishOutcome> {
    const claim = await this.targets.claim(targetId, this.config.publishing.leaseSeconds);
    if (!claim) return this.notClaimed(targetId);

    const mayHaveLanded = claim.previousStatus === 'unknown' || claim.previousStatus === 'publishing';
    if (!mayHaveLanded && this.isTooLate(claim)) {
      const error = `Not published: more than ${claim.maxLatenessSeconds} s past its time (maxLatenessSeconds)`;
      return this.settle(claim, 'missed', { outcome: 'missed', error });
    }
    if (claim.encryptedCredentials === null) {
      return this.settle(claim, 'failed', { outcome: 'failed', error: 'The account was deleted' });
    }
    if (claim.accountStatus === 'needs_reauth') {
      const error = `The account needs reconnecting: ${claim.accountStatusReason ?? 'its credentials were refused'}`;
      return this.settle(claim, 'failed', { outcome: 'failed', error });
    }
    const provider = this.platforms.get(claim.platform);
    const credentials = await this.credentialsFor(claim);
    if ('settled' in credentials) return credentials.settled;

    return this.publishParts(claim, provider, credentials.value, mayHaveLanded);
  }

  /** Publishes the parts not yet on the platform (all of them, for a single post), recording each. */
  private async publishParts(
    claim: ClaimedTarget,
    provider: PlatformProvider,
    credentials: unknown,
    mayHaveLanded: boolean,
  ): Promise<PublishOutcome> {
    const parts = [claim.content, ...claim.thread];
    const published = [...claim.publishedParts];
    let media: MediaAttachment[] = [];
    if (published.length === 0) {
      try {
        media = await this.loadMedia(claim);
      } catch (error) {
        return this.mediaUnavailable(claim, error);
      }
    }
    let recovered = false;
    // Only the first part not recorded can have landed unrecorded: the attempt stopped there.
    let reconcile = mayHaveLanded && !provider.capabilities.idempotencyKeys;
    while (published.length < parts.length) {
      const index = published.length;
      const request: PublishRequest = {
        text: parts[index],
        media: index === 0 ? media : [],
        replyTo: index === 0 ? undefined : { root: published[0], parent: published[index - 1] },
        idempotencyKey: `${claim.id}:${index}`,
      };
      let post: PublishedPost | undefined;
      const afterUnknownAttempt = reconcile;
      if (reconcile) {
        reconcile = false;
        const checked = await this.reconcile(claim, provider, credentials, request);
        if ('outcome' in checked) return checked.outcome;
        post = checked.post ?? undefined;
        if (post) {
          recovered ||= index === 0;
          this.logger.log(
            `Target ${claim.id}: an earlier attempt had published part ${index + 1} as ${post.platformPostId}`,
          );
        }
      }
      try {
        post ??= await provider.publish(credentials, request);
      } catch (error) {
        const failure = inThread(provider.classifyError(error), index, parts.length);
        return this.handleFailure(claim, failure, afterUnknownAttempt);
      }
      published.push(post);
      // Outside the try: failing to record a success is not a platform failure. It propagates for BullMQ
      // to retry the job, and the next claim (once the lease lapses) finds the post instead of reposting it.
      if (!(await this.targets.recordParts(claim, published, this.config.publishing.leaseSeconds))) {
        this.logger.warn(`Target ${claim.id}: published part ${index + 1}, but another worker took it over`);
        return { kind: 'skipped', reason: 'another worker took the target over' };
      }
    }
    return this.succeed(claim, published[0], recovered);
  }

  /**
   * The post's images, read from media storage before anything is sent: a missing file fails the
   * target clearly instead of failing halfway through a platform's upload.
   */
  private async loadMedia(claim: ClaimedTarget): Promise<MediaAttachment[]> {
    const attachments = await this.media.attachmentsFor(claim.media);
    return Promise.all(
      attachments.map(async (attachment) => {
        const bytes = await attachment.read();
        return { ...attachment, read: () => Promise.resolve(bytes) };
      }),
    );
  }

  private async mediaUnavailable(claim: ClaimedTarget, error: unknown): Promise<PublishOutcome> {
    const reason = (error as Error).message;
    if (error instanceof MissingMediaError || (error instanceof DomainError && error.code === 'NOT_FOUND')) {
      const message = `An image of the post is missing from media storage (${reason}); nothing was published`;
      return this.settle(claim, 'failed', { outcome: 'failed', error: message });
    }
    return this.handleFailure(
      claim,
      { kind: 'retryable', message: `Could not read the post's images: ${reason}` },
      false,
    );
  }

  /**
   * The account's credentials, renewed first when they are due (the scheduler normally renews them
   * ahead of time; this covers a scheduler that fell behind).
   */
  private async credentialsFor(claim: ClaimedTarget): Promise<{ value: unknown } | { settled: PublishOutcome }> {
    if (claim.accountRenewAt !== null && claim.accountRenewAt.getTime() <= Date.now()) {
      const renewal = await this.credentials.renew(claim.accountId);
      if (renewal.status === 'renewed' || renewal.status === 'current') return { value: renewal.credentials };
      if (renewal.status === 'revoked') {
        const error = `The account needs reconnecting: ${renewal.reason}`;
        return { settled: await this.settle(claim, 'failed', { outcome: 'failed', error }) };
      }
      if (renewal.status === 'gone') {
        return { settled: await this.settle(claim, 'failed', { outcome: 'failed', error: 'The account was deleted' }) };
      }
      // A temporary failure: the credentials are renewed ahead of expiry, so they most likely still work.
    }
    try {
      return { value: this.credentials.open(claim.platform, claim.encryptedCredentials!) };
    } catch {
      const error = 'The stored credentials of the account are unreadable; reconnect the account';
      return { settled: await this.settle(claim, 'failed', { outcome: 'failed', error }) };
    }
  }

  /**
   * Asks the platform whether an earlier attempt published this part: the post it found, null when
   * it certainly did not (publish now), or the outcome when nobody can tell yet.
   */
  private async reconcile(
    claim: ClaimedTarget,
    provider: PlatformProvider,
    credentials: unknown,
    part: PublishRequest,
  ): Promise<{ post: PublishedPost | null } | { outcome: PublishOutcome }> {
    if (!provider.capabilities.findPublished) {
      const error = `${claim.platform} cannot tell whether an earlier attempt landed: check the account, then retry the post if it did not`;
      return { outcome: await this.settle(claim, 'unknown', { outcome: 'unverifiable', error }) };
    }
    const since = new Date((claim.previousAttemptStartedAt?.getTime() ?? Date.now()) - RECOVERY_SEARCH_MARGIN_MS);
    try {
      const post = await provider.findPublished(credentials, { text: part.text, replyTo: part.replyTo }, since);
      return { post };
    } catch (error) {
      const failure = provider.classifyError(error);
      const message = `Could not check whether it landed: ${failure.message}`;
      return { outcome: await this.stillUnknown(claim, { ...failure, message }) };
    }
  }

  private async notClaimed(targetId: string): Promise<PublishOutcome> {
    const state = await this.targets.whyUnclaimable(targetId);
    if (!state) return { kind: 'skipped', reason: 'the target no longer exists' };
    if (!state.retryAt) return { kind: 'skipped', reason: `the target is ${state.status}` };
    return { kind: 'wait', until: new Date(Math.max(state.retryAt.getTime(), Date.now() + MIN_WAIT_MS)) };
  }

  private isTooLate(claim: ClaimedTarget): boolean {
    return Date.now() > claim.dueAt.getTime() + claim.maxLatenessSeconds * 1000;
  }

  private async succeed(claim: ClaimedTarget, post: PublishedPost, recovered: boolean): Promise<PublishOutcome> {
    if (!(await this.targets.markPublished(claim, post, recovered ? 'recovered' : 'published'))) {
      this.logger.warn(`Target ${claim.id}: published as ${post.platformPostId}, but another worker took it over`);
    }
    this.logger.log(`Target ${claim.id} published on ${claim.platform} as ${post.platformPostId}`);
    return { kind: 'published', ...post, recovered };
  }

  private async handleFailure(
    claim: ClaimedTarget,
    failure: PublishFailure,
    afterUnknownAttempt: boolean,
  ): Promise<PublishOutcome> {
    const record: AttemptRecord = { outcome: 'failed', error: failure.message, statusCode: failure.statusCode };
    if (failure.duplicate && afterUnknownAttempt) {
      // The platform holds this exact post: the earlier attempt landed though we could not find it.
      const error = `${failure.message} An earlier attempt most likely published it; not posting again.`;
      return this.settle(claim, 'unknown', { ...record, outcome: 'unverifiable', error });
    }
    if (failure.credentialsRejected) await this.credentials.markRejected(claim.accountId, failure.message);
    if (failure.kind === 'permanent') return this.settle(claim, 'failed', record);
    if (failure.kind === 'unknown') return this.stillUnknown(claim, failure);
    if (claim.attempt >= this.config.publishing.maxAttempts) {
      return this.settle(claim, 'failed', {
        ...record,
        error: `${failure.message} (gave up after ${claim.attempt} attempts)`,
      });
    }
    const at = this.retryAt(claim, failure);
    if (failure.rateLimited) await this.accounts.rateLimitAccount(claim.accountId, at);
    await this.targets.markForRetry(claim, { ...record, outcome: failure.rateLimited ? 'rate_limited' : 'retry' }, at);
    this.logger.warn(
      `Target ${claim.id} attempt ${claim.attempt} failed, retrying at ${at.toISOString()}: ${failure.message}`,
    );
    return { kind: 'retry', at, error: failure.message };
  }

  /** The post may be on the platform: look again later, or, out of attempts, leave it `unknown` for a person. */
  private async stillUnknown(claim: ClaimedTarget, failure: PublishFailure): Promise<PublishOutcome> {
    const record: AttemptRecord = { outcome: 'unknown', error: failure.message, statusCode: failure.statusCode };
    if (claim.attempt >= this.config.publishing.maxAttempts) {
      const error = `${failure.message} (gave up after ${claim.attempt} attempts; it may or may not have been published)`;
      return this.settle(claim, 'unknown', { ...record, error });
    }
    const at = this.retryAt(claim, failure);
    await this.targets.markUnknown(claim, record, at);
    this.logger.warn(
      `Target ${claim.id} attempt ${claim.attempt}: outcome unknown, checking at ${at.toISOString()}: ${failure.message}`,
    );
    return { kind: 'retry', at, error: failure.message };
  }

  private retryAt(claim: ClaimedTarget, failure: PublishFailure): Date {
    return new Date(
      Date.now() + retryDelayMs(claim.attempt, this.config.publishing.retryBaseDelayMs, failure.retryAfterMs),
    );
  }

  private async settle(
    claim: ClaimedTarget,
    status: 'failed' | 'unknown' | 'missed',
    record: AttemptRecord,
  ): Promise<PublishOutcome> {
    const error = record.error ?? status;
    if (status === 'failed') await this.targets.markFailed(claim, record);
    else if (status === 'missed') await this.targets.markMissed(claim, record);
    else await this.targets.markUnknown(claim, record, null);
    this.logger.warn(`Target ${claim.id} ${status}: ${error}`);
    return { kind: 'settled', status, error };
  }
}

/** Names the part of a thread that failed; the parts before it are on the platform and stay there. */
function inThread(failure: PublishFailure, index: number, total: number): PublishFailure {
  if (total === 1) return failure;
  const published =
    index === 0 ? 'nothing of it is published' : index === 1 ? 'part 1 is published' : `parts 1-${index} are published`;
  return { ...failure, message: `Thread part ${index + 1} of ${total} (${published}): ${failure.message}` };
}
