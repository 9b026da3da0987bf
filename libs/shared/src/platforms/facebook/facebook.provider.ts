import { Inject, Injectable } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import { AppConfig } from '../../config/app-config.js';
import { FacebookLogin, type ManagedPage } from '../meta-graph/facebook-login.js';
import { parseGraphCredentials } from '../meta-graph/graph-credentials.js';
import { beforePublishing, classifyGraphError, GraphRefusal } from '../meta-graph/graph-errors.js';
import { createGraphHttp, graphListItems, withToken } from '../meta-graph/graph-http.js';
import { isSameGraphText, textParam } from '../meta-graph/graph-text.js';
import { PreparationDeadline } from '../meta-graph/preparation-deadline.js';
import type {
  AccountIdentity,
  ConnectedAccount,
  MediaAttachment,
  OAuthConnection,
  PlatformProvider,
  PublishedPost,
  PublishFailure,
  PublishRequest,
} from '../platform-provider.js';
import { FACEBOOK_RULES } from './facebook-content.rules.js';

/**
 * A Page access token and its Page. Page tokens obtained from a long-lived user token (as Facebook Login
 * does here) do not expire, so there is nothing to renew; a revoked one gets code 190 and the account is
 * reconnected.
 */
export interface FacebookCredentials {
  pageId: string;
  accessToken: string;
}

/** findPublished reads at most this many pages of 100 published posts. */
const MAX_FEED_PAGES = 3;

interface PhotoAnswer {
  id: string;
  /** Present when the photo was published as a post of its own. */
  post_id?: string;
}

interface PagePost {
  id: string;
  message?: string;
}

/**
 * Facebook Pages through the Graph API: a text post goes to `/{page-id}/feed`; one photo is uploaded to
 * `/{page-id}/photos` and published with its caption; several are uploaded unpublished, then attached to
 * one feed post.
 */
@Injectable()
export class FacebookProvider implements PlatformProvider<FacebookCredentials> {
  readonly platform = 'facebook' as const;
  /** Graph has no idempotency keys; the Page's published posts tell whether a post landed. */
  readonly capabilities = { findPublished: true, idempotencyKeys: false };
  readonly rules = FACEBOOK_RULES;
  readonly oauth: OAuthConnection<FacebookCredentials>;
  private readonly http: AxiosInstance;

  // @Inject spelled out: tools that strip types without emitting decorator metadata (tsx/esbuild) still wire it.
  constructor(@Inject(AppConfig) private readonly config: AppConfig) {
    this.http = createGraphHttp(config.platforms.facebook.apiBaseUrl, config);
    const login = new FacebookLogin(config.platforms.facebook.oauth, this.http, 'pages');
    this.oauth = {
      missingSettings: () => login.missingSettings(),
      authorizeUrl: (params) => login.authorizeUrl(params),
      exchangeCode: async (params) => (await login.managedPages(params)).map(toConnectedAccount),
    };
  }

  parseCredentials(input: unknown): FacebookCredentials {
    return parseGraphCredentials(input, 'pageId', {
      platform: 'Facebook',
      id: 'the id of a Facebook Page',
      token: 'a Page access token of that Page',
    });
  }

  /** A Page token speaks as its Page: `/me` names the Page, which proves the token belongs to this one. */
  async verifyCredentials({ pageId, accessToken }: FacebookCredentials): Promise<AccountIdentity> {
    const { data } = await this.http.get<{ id: string; name: string }>(
      '/me',
      withToken(accessToken, { fields: 'id,name' }),
    );
    if (data.id !== pageId) {
      throw new GraphRefusal({
        kind: 'permanent',
        credentialsRejected: true,
        message: `Facebook: the access token is not a Page access token of Page ${pageId} (it acts as ${data.id})`,
      });
    }
    return { externalId: data.id, displayName: data.name };
  }

  async publish(credentials: FacebookCredentials, post: PublishRequest): Promise<PublishedPost> {
    const message = textParam('message', post.text);
    if (post.media.length === 0) return this.postToFeed(credentials, message);
    if (post.media.length === 1) {
      const photo = await this.uploadPhoto(credentials, post.media[0], {
        published: 'true',
        ...textParam('caption', post.text),
      });
      if (!photo.post_id) throw new Error('Facebook published the photo but returned no post id');
      return toPublished(photo.post_id);
    }

    const deadline = PreparationDeadline.start(this.config);
    const attached: Array<{ media_fbid: string }> = [];
    for (const [index, media] of post.media.entries()) {
      const step = `Uploading photo ${index + 1} of ${post.media.length}`;
      const photo = await beforePublishing(step, () => this.uploadPhoto(credentials, media, { published: 'false' }));
      attached.push({ media_fbid: photo.id });
      deadline.check();
    }
    return this.postToFeed(credentials, { ...message, attached_media: JSON.stringify(attached) });
  }

  async findPublished(
    { pageId, accessToken }: FacebookCredentials,
    post: Pick<PublishRequest, 'text' | 'replyTo'>,
    since: Date,
  ): Promise<PublishedPost | null> {
    const from = Math.floor(since.getTime() / 1000);
    const posts = graphListItems<PagePost>(this.http, `/${pageId}/published_posts`, {
      accessToken,
      params: { fields: 'id,message,created_time', since: String(from), limit: '100' },
      maxPages: MAX_FEED_PAGES,
    });
    for await (const candidate of posts) {
      if (isSameGraphText(candidate.message, post.text)) return toPublished(candidate.id);
    }
    return null;
  }

  classifyError(error: unknown): PublishFailure {
    return classifyGraphError(error, 'Facebook');
  }

  private async postToFeed(
    { pageId, accessToken }: FacebookCredentials,
    fields: Record<string, string>,
  ): Promise<PublishedPost> {
    const { data } = await this.http.post<{ id: string }>(
      `/${pageId}/feed`,
      new URLSearchParams(fields),
      withToken(accessToken),
    );
    return toPublished(data.id);
  }

  /** Uploads the photo's bytes (multipart `source`), so Facebook needs no way to reach Herald's media links. */
  private async uploadPhoto(
    { pageId, accessToken }: FacebookCredentials,
    media: MediaAttachment,
    fields: Record<string, string>,
  ): Promise<PhotoAnswer> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    if (media.altText) form.append('alt_text_custom', media.altText);
    const bytes = await media.read();
    const [, subtype] = media.mimeType.split('/');
    form.append('source', new Blob([new Uint8Array(bytes)], { type: media.mimeType }), `${media.mediaId}.${subtype}`);
    const { data } = await this.http.post<PhotoAnswer>(`/${pageId}/photos`, form, withToken(accessToken));
    return data;
  }
}

const toPublished = (id: string): PublishedPost => ({ platformPostId: id, url: `https://www.facebook.com/${id}` });

const toConnectedAccount = (page: ManagedPage): ConnectedAccount<FacebookCredentials> => ({
  credentials: { pageId: page.id, accessToken: page.accessToken },
  identity: { externalId: page.id, displayName: page.name },
});
