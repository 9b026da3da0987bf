import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { trustedAgents } from '../../net/outbound-agents.js';
import type { ContentOutline } from '../content-rules.js';
import { createPlatformHttp } from '../http/platform-http.js';
import type {
  AccountIdentity,
  PlatformProvider,
  PublishedPost,
  PublishFailure,
  PublishRequest,
} from '../platform-provider.js';
import { isSameThreadsText, THREADS_RULES, threadsLinkProblems } from './threads-content.rules.js';
import { parseThreadsCredentials, type ThreadsCredentials } from './threads-credentials.js';
import { classifyThreadsError, ThreadsFailure } from './threads-errors.js';
import { ThreadsGraphClient, type ThreadsMedia } from './threads-graph.client.js';
import { ThreadsOAuth, ThreadsTokenRenewal } from './threads-oauth.js';
import { postUrl, ThreadsPublisher } from './threads-publisher.js';

/** Meta suggests waiting about 30 s for a container; a publish never waits longer than this for it. */
const MAX_READINESS_WAIT_MS = 30_000;
/** findPublished reads at most this many pages of 100 posts. */
const MAX_LOOKUP_PAGES = 3;
const LOOKUP_PAGE_SIZE = 100;

@Injectable()
export class ThreadsProvider implements PlatformProvider<ThreadsCredentials> {
  readonly platform = 'threads' as const;
  /** Threads takes no idempotency key; the profile's posts and replies tell whether one landed. */
  readonly capabilities = { findPublished: true, idempotencyKeys: false };
  readonly rules = THREADS_RULES;
  readonly renewal: ThreadsTokenRenewal;
  readonly oauth: ThreadsOAuth;

  private readonly graph: ThreadsGraphClient;
  private readonly publisher: ThreadsPublisher;

  // @Inject spelled out: tools that strip types without emitting decorator metadata (tsx/esbuild) still wire it.
  constructor(@Inject(AppConfig) config: AppConfig) {
    this.graph = new ThreadsGraphClient(
      createPlatformHttp({
        baseURL: config.platforms.threads.apiBaseUrl,
        timeoutMs: config.publishing.platformTimeoutMs,
        agents: trustedAgents(),
      }),
    );
    // Waiting for Threads to process a post stays well inside the lease the worker holds on it.
    const readinessBudgetMs = Math.min(MAX_READINESS_WAIT_MS, (config.publishing.leaseSeconds * 1000) / 4);
    this.publisher = new ThreadsPublisher(this.graph, readinessBudgetMs);
    this.renewal = new ThreadsTokenRenewal(this.graph);
    this.oauth = new ThreadsOAuth(config.platforms.threads.oauth, this.graph);
  }

  parseCredentials(input: unknown): ThreadsCredentials {
    return parseThreadsCredentials(input);
  }

  async verifyCredentials(credentials: ThreadsCredentials): Promise<AccountIdentity> {
    const identity = await this.graph.me(credentials.accessToken);
    if (identity.externalId !== credentials.userId) {
      const owner = `Threads user ${identity.externalId} (${identity.displayName})`;
      const message = `The access token belongs to ${owner}, not to userId ${credentials.userId}`;
      throw new ThreadsFailure({ kind: 'permanent', message });
    }
    return identity;
  }

  extraContentProblems(content: ContentOutline): string[] {
    return threadsLinkProblems(content);
  }

  publish(credentials: ThreadsCredentials, post: PublishRequest): Promise<PublishedPost> {
    return this.publisher.publish(credentials, post);
  }

  /**
   * Looks through the profile's posts since `since` for one with this text; for a later part of a thread,
   * through its replies for one with this text that answers `replyTo.parent`.
   */
  async findPublished(
    credentials: ThreadsCredentials,
    post: Pick<PublishRequest, 'text' | 'replyTo'>,
    since: Date,
  ): Promise<PublishedPost | null> {
    const parentId = post.replyTo?.parent.platformPostId;
    const matches = (media: ThreadsMedia) =>
      isSameThreadsText(media.text, post.text) &&
      (parentId === undefined ? media.is_reply !== true : media.replied_to?.id === parentId);
    const edge = parentId === undefined ? 'threads' : 'replies';
    const fields = `id,text,timestamp,permalink,is_reply${parentId === undefined ? '' : ',replied_to'}`;

    let after: string | undefined;
    for (let pages = 0; pages < MAX_LOOKUP_PAGES; pages += 1) {
      const page = await this.graph.ownMedia(credentials, edge, { fields, since, limit: LOOKUP_PAGE_SIZE, after });
      const match = page.data.find(matches);
      if (match) return { platformPostId: match.id, url: postUrl(match.permalink) };
      if (!page.after) return null;
      after = page.after;
    }
    return null;
  }

  classifyError(error: unknown): PublishFailure {
    return classifyThreadsError(error);
  }
}
