import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import type { ContentOutline } from '../content-rules.js';
import type {
  AccountIdentity,
  CredentialRenewal,
  PlatformProvider,
  PublishedPost,
  PublishFailure,
  PublishRequest,
} from '../platform-provider.js';
import { BLUESKY_RULES, blueskyContentProblems } from './bluesky-content.rules.js';
import { type BlueskyCredentials, parseBlueskyCredentials } from './bluesky-credentials.js';
import { classifyBlueskyError } from './bluesky-errors.js';
import { BlueskyPosts } from './bluesky-posts.js';
import { BlueskySessions } from './bluesky-sessions.js';

/**
 * Bluesky through the AT Protocol: an app password signs in to the PDS (BLUESKY_SERVICE_URL), posts
 * are `app.bsky.feed.post` records. The session is stored with the credentials and renewed by the
 * scheduler before its access token expires.
 */
@Injectable()
export class BlueskyProvider implements PlatformProvider<BlueskyCredentials> {
  readonly platform = 'bluesky' as const;
  /**
   * The account's repository tells whether a post landed. No idempotency: a client-chosen record key
   * would have to be a TID of the current time (the AppView ignores posts with other keys), so it
   * cannot be derived from the idempotency key, and a PDS answers a taken key with a plain 500.
   */
  readonly capabilities = { findPublished: true, idempotencyKeys: false };
  readonly rules = BLUESKY_RULES;
  readonly renewal: CredentialRenewal<BlueskyCredentials>;

  private readonly sessions: BlueskySessions;
  private readonly posts = new BlueskyPosts();

  // @Inject spelled out: tools that strip types without emitting decorator metadata (tsx/esbuild) still wire it.
  constructor(@Inject(AppConfig) config: AppConfig) {
    this.sessions = new BlueskySessions(
      new URL(config.platforms.bluesky.serviceUrl),
      config.publishing.platformTimeoutMs,
    );
    this.renewal = {
      renewAt: (credentials) => this.sessions.renewAt(credentials),
      renew: (credentials) => this.sessions.renew(credentials),
    };
  }

  parseCredentials(input: unknown): BlueskyCredentials {
    return parseBlueskyCredentials(input);
  }

  /** Signs in with the app password (a new session, not kept: the scheduler makes the one it stores). */
  async verifyCredentials(credentials: BlueskyCredentials): Promise<AccountIdentity> {
    const session = await this.sessions.create(credentials);
    return { externalId: session.did, displayName: `@${session.handle}` };
  }

  extraContentProblems(content: ContentOutline): string[] {
    return blueskyContentProblems(content);
  }

  publish(credentials: BlueskyCredentials, post: PublishRequest): Promise<PublishedPost> {
    return this.sessions.withSession(credentials, (agent, session) => this.posts.publish(agent, session, post));
  }

  findPublished(
    credentials: BlueskyCredentials,
    post: Pick<PublishRequest, 'text' | 'replyTo'>,
    since: Date,
  ): Promise<PublishedPost | null> {
    return this.sessions.withSession(credentials, (agent, session) => this.posts.find(agent, session, post, since));
  }

  classifyError(error: unknown): PublishFailure {
    return classifyBlueskyError(error);
  }
}
