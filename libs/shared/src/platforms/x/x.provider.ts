import { Inject, Injectable } from '@nestjs/common';
import type { SendTweetV2Params, TweetV2, TwitterApi } from 'twitter-api-v2';
import { AppConfig } from '../../config/app-config.js';
import type {
  AccountIdentity,
  MediaAttachment,
  PlatformProvider,
  PublishedPost,
  PublishFailure,
  PublishRequest,
} from '../platform-provider.js';
import { XApiClients } from './x-api-clients.js';
import { isSameXText, X_CONTENT_RULES } from './x-content.rules.js';
import { parseXCredentials, type XCredentials, xIdentity } from './x-credentials.js';
import { classifyXError } from './x-errors.js';
import { XOAuthConnection, XTokenEndpoint, XTokenRenewal } from './x-oauth.js';

export type { XCredentials } from './x-credentials.js';

/** findPublished reads at most this many timeline pages of 100. */
const MAX_TIMELINE_PAGES = 3;

type UploadMediaType = Parameters<TwitterApi['v2']['uploadMedia']>[1]['media_type'];
type MediaIds = NonNullable<SendTweetV2Params['media']>['media_ids'];

@Injectable()
export class XProvider implements PlatformProvider<XCredentials> {
  readonly platform = 'x' as const;
  /** X has no idempotency keys; its timeline tells whether a post landed. */
  readonly capabilities = { findPublished: true, idempotencyKeys: false };
  readonly rules = X_CONTENT_RULES;
  readonly renewal: XTokenRenewal;
  readonly oauth: XOAuthConnection;

  private readonly clients: XApiClients;

  // @Inject spelled out: tools that strip types without emitting decorator metadata (tsx/esbuild) still wire it.
  constructor(@Inject(AppConfig) config: AppConfig) {
    this.clients = new XApiClients(config.platforms.x.apiBaseUrl, config.publishing.platformTimeoutMs);
    const tokens = new XTokenEndpoint(this.clients, config.platforms.x.oauth);
    this.renewal = new XTokenRenewal(tokens);
    this.oauth = new XOAuthConnection(config.platforms.x.oauth, tokens, this.clients);
  }

  parseCredentials(input: unknown): XCredentials {
    return parseXCredentials(input);
  }

  async verifyCredentials(credentials: XCredentials): Promise<AccountIdentity> {
    const { data: user } = await this.clients.forUser(credentials.accessToken).v2.me();
    return xIdentity(user);
  }

  /**
   * Uploads each image (chunked upload, then its alt text as metadata), then creates the post with them,
   * as a reply to the thread's previous part when there is one.
   */
  async publish(credentials: XCredentials, post: PublishRequest): Promise<PublishedPost> {
    const client = this.clients.forUser(credentials.accessToken);
    const mediaIds: string[] = [];
    for (const item of post.media) mediaIds.push(await this.upload(client, item));

    const { data } = await client.v2.tweet({
      ...(post.text.trim() !== '' ? { text: post.text } : {}),
      ...(mediaIds.length > 0 ? { media: { media_ids: mediaIds as MediaIds } } : {}),
      ...(post.replyTo ? { reply: { in_reply_to_tweet_id: post.replyTo.parent.platformPostId } } : {}),
    });
    if (!data?.id) throw new Error('X accepted the post but returned no id');
    return toPublished(data.id);
  }

  /**
   * Looks through the account's recent posts for one with this text that answers the same post (for a
   * thread part: the part before it; otherwise none).
   */
  async findPublished(
    credentials: XCredentials,
    post: Pick<PublishRequest, 'text' | 'replyTo'>,
    since: Date,
  ): Promise<PublishedPost | null> {
    const client = this.clients.forUser(credentials.accessToken);
    const { data: me } = await client.v2.me();
    const startTime = new Date(Math.floor(since.getTime() / 1000) * 1000);
    const parentId = post.replyTo?.parent.platformPostId;
    const isTheOne = (tweet: TweetV2) =>
      repliedTo(tweet) === parentId &&
      isSameXText(tweet.text, post.text, { hasMedia: (tweet.attachments?.media_keys?.length ?? 0) > 0 });

    let page = await client.v2.userTimeline(me.id, {
      start_time: startTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      max_results: 100,
      exclude: ['retweets'],
      'tweet.fields': ['referenced_tweets', 'attachments'],
    });
    for (let pages = 1; ; pages += 1) {
      const match = page.tweets.find(isTheOne);
      if (match) return toPublished(match.id);
      if (page.done || pages >= MAX_TIMELINE_PAGES) return null;
      page = await page.next();
    }
  }

  classifyError(error: unknown): PublishFailure {
    return classifyXError(error);
  }

  private async upload(client: TwitterApi, item: MediaAttachment): Promise<string> {
    // X checks the type itself; Herald's content rules admit only the image types X takes.
    const mediaType = item.mimeType as UploadMediaType;
    const mediaId = await client.v2.uploadMedia(await item.read(), {
      media_type: mediaType,
      media_category: 'tweet_image',
    });
    if (item.altText) await client.v2.createMediaMetadata(mediaId, { alt_text: { text: item.altText } });
    return mediaId;
  }
}

const repliedTo = (tweet: TweetV2) => tweet.referenced_tweets?.find((ref) => ref.type === 'replied_to')?.id;

const toPublished = (id: string): PublishedPost => ({ platformPostId: id, url: `https://x.com/i/web/status/${id}` });
