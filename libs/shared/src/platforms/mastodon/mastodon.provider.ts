import { Inject, Injectable } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import { AppConfig } from '../../config/app-config.js';
import { guardedAgents } from '../../net/outbound-agents.js';
import { createPlatformHttp } from '../http/platform-http.js';
import type {
  AccountIdentity,
  PlatformProvider,
  PublishedPost,
  PublishFailure,
  PublishRequest,
} from '../platform-provider.js';
import { MastodonApi, type MastodonStatus, STATUSES_PAGE_SIZE } from './mastodon-api.js';
import { MASTODON_RULES } from './mastodon-content.rules.js';
import { type MastodonCredentials, parseMastodonCredentials } from './mastodon-credentials.js';
import { classifyMastodonError } from './mastodon-errors.js';
import { isSameStatusText } from './mastodon-status-text.js';

/** findPublished reads at most this many pages of the account's statuses. */
const MAX_STATUS_PAGES = 3;

/**
 * Publishes to any Mastodon instance (or one speaking its API) with a user access token.
 * The instance is an address the user typed, so every connection goes through the SSRF guard.
 */
@Injectable()
export class MastodonProvider implements PlatformProvider<MastodonCredentials> {
  readonly platform = 'mastodon' as const;
  /**
   * Mastodon answers a status sent again with the same Idempotency-Key with the status it created, for an
   * hour; past that hour, the account's statuses tell whether an attempt landed.
   */
  readonly capabilities = { findPublished: true, idempotencyKeys: true };
  readonly rules = MASTODON_RULES;

  private readonly http: AxiosInstance;
  /** How long one publish waits, in all, for the instance to process its images. */
  private readonly mediaProcessingBudgetMs: number;

  // @Inject spelled out: tools that strip types without emitting decorator metadata (tsx/esbuild) still wire it.
  constructor(@Inject(AppConfig) config: AppConfig) {
    this.http = createPlatformHttp({
      timeoutMs: config.publishing.platformTimeoutMs,
      agents: guardedAgents(config.privateNetworkAllowlist),
    });
    this.mediaProcessingBudgetMs = config.publishing.platformTimeoutMs;
  }

  parseCredentials(input: unknown): MastodonCredentials {
    return parseMastodonCredentials(input);
  }

  async verifyCredentials(credentials: MastodonCredentials): Promise<AccountIdentity> {
    const account = await this.api(credentials).verifyCredentials();
    return { externalId: account.id, displayName: `@${account.username}@${new URL(credentials.instanceUrl).host}` };
  }

  async publish(credentials: MastodonCredentials, post: PublishRequest): Promise<PublishedPost> {
    const api = this.api(credentials);
    const deadline = Date.now() + this.mediaProcessingBudgetMs;
    const mediaIds: string[] = [];
    for (const media of post.media) mediaIds.push(await api.uploadMedia(media, deadline));

    const status = await api.createStatus(
      { text: post.text, mediaIds, inReplyToId: post.replyTo?.parent.platformPostId },
      post.idempotencyKey,
    );
    return toPublished(status);
  }

  async findPublished(
    credentials: MastodonCredentials,
    post: Pick<PublishRequest, 'text' | 'replyTo'>,
    since: Date,
  ): Promise<PublishedPost | null> {
    const inReplyToId = post.replyTo?.parent.platformPostId ?? null;
    let earliest: MastodonStatus | undefined;
    for await (const status of this.statusesSince(credentials, since.getTime())) {
      // Pages run newest first: the last match is the earliest attempt's status.
      if ((status.in_reply_to_id ?? null) === inReplyToId && isSameStatusText(status.content, post.text)) {
        earliest = status;
      }
    }
    return earliest ? toPublished(earliest) : null;
  }

  classifyError(error: unknown): PublishFailure {
    return classifyMastodonError(error);
  }

  /** The account's statuses created at or after `after` (epoch ms), newest first, within a few pages. */
  private async *statusesSince(credentials: MastodonCredentials, after: number): AsyncGenerator<MastodonStatus> {
    const api = this.api(credentials);
    const account = await api.verifyCredentials();
    let maxId: string | undefined;
    for (let page = 0; page < MAX_STATUS_PAGES; page += 1) {
      const statuses = await api.accountStatuses(account.id, maxId);
      for (const status of statuses) {
        if (Date.parse(status.created_at) < after) return;
        yield status;
      }
      if (statuses.length < STATUSES_PAGE_SIZE) return;
      maxId = statuses[statuses.length - 1].id;
    }
  }

  private api(credentials: MastodonCredentials): MastodonApi {
    return new MastodonApi(this.http, credentials);
  }
}

const toPublished = (status: MastodonStatus): PublishedPost => ({
  platformPostId: status.id,
  url: status.url ?? status.uri,
});
