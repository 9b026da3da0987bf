import { Inject, Injectable } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import { AppConfig } from '../../config/app-config.js';
import type { ContentOutline } from '../content-rules.js';
import { FacebookLogin, type ManagedPage } from '../meta-graph/facebook-login.js';
import { parseGraphCredentials } from '../meta-graph/graph-credentials.js';
import { beforePublishing, classifyGraphError, GraphRefusal } from '../meta-graph/graph-errors.js';
import { createGraphHttp, graphListItems, withToken } from '../meta-graph/graph-http.js';
import { isSameGraphText } from '../meta-graph/graph-text.js';
import { PreparationDeadline } from '../meta-graph/preparation-deadline.js';
import type {
  AccountIdentity,
  ConnectedAccount,
  OAuthConnection,
  PlatformProvider,
  PublishedPost,
  PublishFailure,
  PublishRequest,
} from '../platform-provider.js';
import { InstagramContainers } from './instagram-containers.js';
import { INSTAGRAM_RULES, instagramCaptionProblems } from './instagram-content.rules.js';

/**
 * An Instagram professional account (the `instagram_business_account` of a Facebook Page) and a token that
 * may publish for it: its Page's token, which does not expire when read with a long-lived user token (as
 * Facebook Login does here), so there is nothing to renew.
 */
export interface InstagramCredentials {
  instagramUserId: string;
  accessToken: string;
}

/** findPublished reads at most this many pages of 50 media, newest first. */
const MAX_MEDIA_PAGES = 3;
/** Where a post's link points when Instagram does not give its permalink. */
const INSTAGRAM_HOME = 'https://www.instagram.com/';

interface PublishedMedia {
  id: string;
  caption?: string;
  timestamp?: string;
  permalink?: string;
}

/**
 * Instagram through the Graph API's Content Publishing: a container is created from the image's public URL
 * (a carousel of containers for several images), Instagram processes it, then `media_publish` makes it a post.
 * Only that last call can publish anything, so failures before it are safe to retry.
 */
@Injectable()
export class InstagramProvider implements PlatformProvider<InstagramCredentials> {
  readonly platform = 'instagram' as const;
  /** Graph has no idempotency keys; the account's media tell whether a post landed. */
  readonly capabilities = { findPublished: true, idempotencyKeys: false };
  readonly rules = INSTAGRAM_RULES;
  readonly oauth: OAuthConnection<InstagramCredentials>;
  private readonly http: AxiosInstance;
  private readonly containers: InstagramContainers;

  // @Inject spelled out: tools that strip types without emitting decorator metadata (tsx/esbuild) still wire it.
  constructor(@Inject(AppConfig) private readonly config: AppConfig) {
    this.http = createGraphHttp(config.platforms.instagram.apiBaseUrl, config);
    this.containers = new InstagramContainers(this.http);
    const login = new FacebookLogin(config.platforms.instagram.oauth, this.http, 'instagram');
    this.oauth = {
      missingSettings: () => login.missingSettings(),
      authorizeUrl: (params) => login.authorizeUrl(params),
      exchangeCode: async (params) => (await login.managedPages(params)).flatMap(toConnectedAccounts),
    };
  }

  parseCredentials(input: unknown): InstagramCredentials {
    return parseGraphCredentials(input, 'instagramUserId', {
      platform: 'Instagram',
      id: 'the id of an Instagram professional account (its Page’s instagram_business_account)',
      token: 'an access token of the Facebook Page the account is connected to',
    });
  }

  async verifyCredentials({ instagramUserId, accessToken }: InstagramCredentials): Promise<AccountIdentity> {
    const { data } = await this.http.get<{ id: string; username: string }>(
      `/${instagramUserId}`,
      withToken(accessToken, { fields: 'id,username' }),
    );
    return { externalId: data.id, displayName: `@${data.username}` };
  }

  extraContentProblems(content: ContentOutline): string[] {
    return instagramCaptionProblems(content.text);
  }

  async publish(credentials: InstagramCredentials, post: PublishRequest): Promise<PublishedPost> {
    if (post.media.length === 0) {
      throw new GraphRefusal({ kind: 'permanent', message: 'Instagram posts need an image' });
    }
    const deadline = PreparationDeadline.start(this.config);
    const containerId = await beforePublishing('Preparing the Instagram post', async () => {
      const id = await this.containers.create(credentials, post.media, post.text);
      await this.containers.waitUntilFinished(credentials, id, deadline);
      return id;
    });
    deadline.check();

    const { instagramUserId, accessToken } = credentials;
    const { data } = await this.http.post<{ id: string }>(
      `/${instagramUserId}/media_publish`,
      new URLSearchParams({ creation_id: containerId }),
      withToken(accessToken),
    );
    return { platformPostId: data.id, url: await this.permalinkOf(data.id, accessToken) };
  }

  async findPublished(
    { instagramUserId, accessToken }: InstagramCredentials,
    post: Pick<PublishRequest, 'text' | 'replyTo'>,
    since: Date,
  ): Promise<PublishedPost | null> {
    // Graph timestamps are whole seconds: a post from the same second as `since` has an earlier one.
    const earliest = Math.floor(since.getTime() / 1000) * 1000;
    const media = graphListItems<PublishedMedia>(this.http, `/${instagramUserId}/media`, {
      accessToken,
      params: { fields: 'id,caption,timestamp,permalink', limit: '50' },
      maxPages: MAX_MEDIA_PAGES,
    });
    for await (const item of media) {
      // Newest first: past `since`, an earlier attempt's post cannot come any more.
      if (item.timestamp && Date.parse(item.timestamp) < earliest) return null;
      if (isSameGraphText(item.caption, post.text)) {
        return { platformPostId: item.id, url: item.permalink ?? INSTAGRAM_HOME };
      }
    }
    return null;
  }

  classifyError(error: unknown): PublishFailure {
    return classifyGraphError(error, 'Instagram');
  }

  /** The post's link. It is published by now: failing to read the link must not fail the post. */
  private async permalinkOf(mediaId: string, accessToken: string): Promise<string> {
    try {
      const { data } = await this.http.get<{ permalink?: string }>(
        `/${mediaId}`,
        withToken(accessToken, { fields: 'permalink' }),
      );
      return data.permalink ?? INSTAGRAM_HOME;
    } catch {
      return INSTAGRAM_HOME;
    }
  }
}

const toConnectedAccounts = (page: ManagedPage): ConnectedAccount<InstagramCredentials>[] =>
  page.instagram
    ? [
        {
          credentials: { instagramUserId: page.instagram.id, accessToken: page.accessToken },
          identity: { externalId: page.instagram.id, displayName: `@${page.instagram.username}` },
        },
      ]
    : [];
