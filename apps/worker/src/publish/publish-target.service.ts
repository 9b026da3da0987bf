import { Injectable, Logger } from '@nestjs/common';
import {
  AccountCredentialsService,
  AppConfig,
  DomainError,
  MediaService,
  MissingMediaError,
  PlatformRegistry,
  PostTargetRepository,
  UnreadableCredentialsError,
  type ClaimedTarget,
  type MediaAttachment,
  type PlatformProvider,
  type PublishedPost,
  type PublishFailure,
  type PublishRequest,
} from '@app/shared';
import { AttemptRecorder, attemptOf, TAKEN_OVER } from './attempt-recorder.js';
import {
  decideAfterFailedLookUp,
  decideAfterFailure,
  decideAfterRenewal,
  decideBeforePublishing,
  failed,
  type AttemptEnd,
  type PublishPlan,
  type RetryPolicy,
} from './publish-decisions.js';
import type { PublishOutcome } from './publish-outcome.js';
import { PublishPacing } from './publish-pacing.js';

/** A job that finds its target held by another worker looks again no sooner than this. */
const MIN_WAIT_MS = 1_000;

/**
 * Publishes one target: claim it in PostgreSQL, publish through its platform's provider, record the
 * outcome. PostgreSQL decides who may publish, so duplicate or stale jobs are harmless. Before
 * anything goes to the platform, PublishPacing takes the post's tokens from the account's and the
 * platform app's buckets; over a limit, the target is given back untried until its booked time. What to do
 * at each step is decided by the pure functions of publish-decisions.ts; AttemptRecorder writes it.
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
    private readonly platforms: PlatformRegistry,
    private readonly credentials: AccountCredentialsService,
    private readonly media: MediaService,
    private readonly recorder: AttemptRecorder,
    private readonly pacing: PublishPacing,
    private readonly config: AppConfig,
  ) {}

  async publish(targetId: string): Promise<PublishOutcome> {
    const claim = await this.targets.claim(targetId, this.config.publishing.leaseSeconds);
    if (!claim) return this.notClaimed(targetId);

    const provider = this.platforms.get(claim.platform);
    const plan = decideBeforePublishing(claim, provider.capabilities, new Date());
    if (plan.kind !== 'publish') return this.recorder.end(claim, plan);
    const pace = await this.pacing.take({
      targetId: claim.id,
      accountId: claim.accountId,
      platform: claim.platform,
      tokens: 1 + claim.thread.length - claim.publishedParts.length,
    });
    if (pace.kind === 'wait') return this.recorder.wait(claim, pace.until);
    const credentials = await this.credentialsFor(claim, plan);
    if ('end' in credentials) return this.recorder.end(claim, credentials.end);
    return this.publishParts(claim, provider, credentials.value, plan);
  }

  /** Publishes the parts not yet on the platform (all of them, for a single post), recording each. */
  private async publishParts(
    claim: ClaimedTarget,
    provider: PlatformProvider,
    credentials: unknown,
    plan: PublishPlan,
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
    let lookUp = plan.lookUpEarlierAttempt;
    while (published.length < parts.length) {
      const index = published.length;
      const request: PublishRequest = {
        text: parts[index],
        media: index === 0 ? media : [],
        replyTo: index === 0 ? undefined : { root: published[0], parent: published[index - 1] },
        idempotencyKey: `${claim.id}:${index}`,
      };
      let post: PublishedPost | null = null;
      const afterLookUp = lookUp !== null;
      if (lookUp) {
        try {
          post = await provider.findPublished(
            credentials,
            { text: request.text, replyTo: request.replyTo },
            lookUp.since,
          );
        } catch (error) {
          const failure = provider.classifyError(error);
          return this.recorder.end(claim, decideAfterFailedLookUp(failure, claim.attempt, this.policy, new Date()));
        }
        lookUp = null;
        if (post) {
          recovered ||= index === 0;
          this.logger.log(
            `${attemptOf(claim)}: an earlier attempt had published part ${index + 1} as ${post.platformPostId}`,
          );
        }
      }
      try {
        post ??= await provider.publish(credentials, request);
      } catch (error) {
        const failure = inThread(provider.classifyError(error), index, parts.length);
        return this.afterFailure(claim, failure, afterLookUp);
      }
      published.push(post);
      // Outside the try: failing to record a success is not a platform failure. It propagates for BullMQ
      // to retry the job, and the next claim (once the lease lapses) finds the post instead of reposting it.
      // The last part is recorded with the publication itself, in one statement.
      const more = published.length < parts.length;
      if (more && !(await this.recorder.partsPublished(claim, published, this.config.publishing.leaseSeconds))) {
        return TAKEN_OVER;
      }
    }
    return this.recorder.published(claim, published, recovered);
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

  private mediaUnavailable(claim: ClaimedTarget, error: unknown): Promise<PublishOutcome> {
    const reason = (error as Error).message;
    if (error instanceof MissingMediaError || (error instanceof DomainError && error.code === 'NOT_FOUND')) {
      const message = `An image of the post is missing from media storage (${reason}); nothing was published`;
      return this.recorder.end(claim, failed(message));
    }
    const failure: PublishFailure = { kind: 'retryable', message: `Could not read the post's images: ${reason}` };
    return this.afterFailure(claim, failure, false);
  }

  /**
   * The account's credentials, renewed first when they are due (the scheduler normally renews them
   * ahead of time; this covers a scheduler that fell behind).
   */
  private async credentialsFor(
    claim: ClaimedTarget,
    plan: PublishPlan,
  ): Promise<{ value: unknown } | { end: AttemptEnd }> {
    try {
      if (plan.renewCredentials) {
        const renewal = decideAfterRenewal(await this.credentials.renew(claim.accountId));
        if (renewal.kind === 'use') return { value: renewal.credentials };
        if (renewal.kind !== 'use-stored') return { end: renewal };
      }
      return { value: this.credentials.open(claim.accountId, claim.platform, claim.encryptedCredentials!) };
    } catch (error) {
      if (!(error instanceof UnreadableCredentialsError)) throw error;
      return { end: failed(error.message) };
    }
  }

  private afterFailure(claim: ClaimedTarget, failure: PublishFailure, afterLookUp: boolean): Promise<PublishOutcome> {
    const end = decideAfterFailure({ failure, attempt: claim.attempt, afterLookUp }, this.policy, new Date());
    return this.recorder.end(claim, end);
  }

  private get policy(): RetryPolicy {
    return this.config.publishing;
  }

  private async notClaimed(targetId: string): Promise<PublishOutcome> {
    const state = await this.targets.whyUnclaimable(targetId);
    if (!state) return { kind: 'skipped', reason: 'the target no longer exists' };
    if (!state.retryAt) return { kind: 'skipped', reason: `the target is ${state.status}` };
    return { kind: 'wait', until: new Date(Math.max(state.retryAt.getTime(), Date.now() + MIN_WAIT_MS)) };
  }
}

/** Names the part of a thread that failed; the parts before it are on the platform and stay there. */
function inThread(failure: PublishFailure, index: number, total: number): PublishFailure {
  if (total === 1) return failure;
  const published =
    index === 0 ? 'nothing of it is published' : index === 1 ? 'part 1 is published' : `parts 1-${index} are published`;
  return { ...failure, message: `Thread part ${index + 1} of ${total} (${published}): ${failure.message}` };
}
