import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable } from '@nestjs/common';
import { type ITwitterApiClientPlugin, TwitterApi } from 'twitter-api-v2';
import { AppConfig } from '../../config/app-config.js';
import { DomainError } from '../../errors/domain-error.js';
import type { PlatformProvider, PublishedPost, PublishFailure, PublishRequest } from '../platform-provider.js';
import { isSameXText, validateXContent } from './x-content.rules.js';
import { classifyXError } from './x-errors.js';

/** An OAuth 2.0 user-context access token (scopes `tweet.read tweet.write users.read`). */
export interface XCredentials {
  accessToken: string;
}

/** How far back, beyond `since`, findPublished looks: absorbs clock skew between us and X. */
const CLOCK_SKEW_MS = 60_000;
/** findPublished reads at most this many timeline pages of 100. */
const MAX_TIMELINE_PAGES = 3;

@Injectable()
export class XProvider implements PlatformProvider<XCredentials> {
  readonly platform = 'x' as const;
  /** X has no idempotency keys; its timeline tells whether a post landed. */
  readonly capabilities = { findPublished: true, idempotencyKeys: false };

  /** twitter-api-v2 hard-codes https://api.x.com; this plugin points it at X_API_BASE_URL and sets the timeout. */
  private readonly plugin: ITwitterApiClientPlugin;
  private readonly agent: http.Agent;

  // @Inject spelled out: tools that strip types without emitting decorator metadata (tsx/esbuild) still wire it.
  constructor(@Inject(AppConfig) config: AppConfig) {
    const base = new URL(config.platforms.xApiBaseUrl);
    const prefix = base.pathname.replace(/\/+$/, '');
    const timeout = config.publishing.platformTimeoutMs;

    // twitter-api-v2 always calls https.request. Node lets https.request speak plain HTTP when it is
    // given an http.Agent (the agent decides the protocol), which is how an http:// emulator is reached.
    this.agent = base.protocol === 'http:' ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true });

    this.plugin = {
      onBeforeRequestConfig: ({ params }) => {
        params.timeout = timeout;
      },
      onBeforeRequest: ({ computedParams }) => {
        const url = computedParams.url;
        url.protocol = base.protocol;
        url.hostname = base.hostname;
        url.port = base.port;
        if (prefix) url.pathname = prefix + url.pathname;
      },
    };
  }

  parseCredentials(input: unknown): XCredentials {
    const object =
      typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
    const token = object.accessToken;
    if (typeof token !== 'string' || token.trim() === '') {
      throw DomainError.validation([
        { field: 'credentials.accessToken', message: 'must be a non-empty string (an OAuth 2.0 user access token)' },
      ]);
    }
    if (/\s/.test(token.trim())) {
      throw DomainError.validation([{ field: 'credentials.accessToken', message: 'must not contain whitespace' }]);
    }
    const unexpected = Object.keys(object).filter((key) => key !== 'accessToken');
    if (unexpected.length > 0) {
      throw DomainError.validation(
        unexpected.map((key) => ({ field: `credentials.${key}`, message: 'is not accepted for X (only accessToken)' })),
      );
    }
    return { accessToken: token.trim() };
  }

  validateContent(content: string): string[] {
    return validateXContent(content);
  }

  async publish(credentials: XCredentials, post: PublishRequest): Promise<PublishedPost> {
    const { data } = await this.client(credentials).v2.tweet(post.content);
    if (!data?.id) throw new Error('X accepted the post but returned no id');
    return toPublished(data.id);
  }

  async findPublished(
    credentials: XCredentials,
    post: Pick<PublishRequest, 'content'>,
    since: Date,
  ): Promise<PublishedPost | null> {
    const client = this.client(credentials);
    const { data: me } = await client.v2.me();
    const startTime = new Date(Math.floor((since.getTime() - CLOCK_SKEW_MS) / 1000) * 1000);
    let page = await client.v2.userTimeline(me.id, {
      start_time: startTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      max_results: 100,
      exclude: ['retweets'],
      'tweet.fields': ['created_at'],
    });
    for (let pages = 1; ; pages += 1) {
      const match = page.tweets.find((tweet) => isSameXText(tweet.text, post.content));
      if (match) return toPublished(match.id);
      if (page.done || pages >= MAX_TIMELINE_PAGES) return null;
      page = await page.next();
    }
  }

  classifyError(error: unknown): PublishFailure {
    return classifyXError(error);
  }

  private client(credentials: XCredentials): TwitterApi {
    return new TwitterApi(credentials.accessToken, { plugins: [this.plugin], httpAgent: this.agent });
  }
}

const toPublished = (id: string): PublishedPost => ({ platformPostId: id, url: `https://x.com/i/web/status/${id}` });
