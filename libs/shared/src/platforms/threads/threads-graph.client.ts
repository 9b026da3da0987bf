import type { AxiosInstance } from 'axios';
import type { AccountIdentity } from '../platform-provider.js';
import type { ThreadsCredentials } from './threads-credentials.js';

const VERSION = 'v1.0';

export type ContainerStatus = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

/** One of the profile's posts or replies, with the fields Herald asks for. */
export interface ThreadsMedia {
  id: string;
  text?: string;
  permalink?: string;
  timestamp?: string;
  is_reply?: boolean;
  replied_to?: { id: string };
}

export interface ThreadsMediaPage {
  data: ThreadsMedia[];
  /** The cursor of the next page; absent on the last one. */
  after?: string;
}

export interface IssuedToken {
  accessToken: string;
  /** Seconds; absent when Threads did not say. */
  expiresIn?: number;
}

/**
 * The calls Herald makes to the Threads Graph API (graph.threads.net). The access token travels as the
 * `access_token` parameter, as Threads documents it: in the form body of POSTs, in the query of GETs.
 * Methods throw the axios error as it comes; callers classify it.
 */
export class ThreadsGraphClient {
  constructor(private readonly http: AxiosInstance) {}

  /** Whose token this is (`GET /me`). */
  async me(accessToken: string): Promise<AccountIdentity> {
    const { data } = await this.http.get<{ id?: unknown; username?: unknown }>(`/${VERSION}/me`, {
      params: { fields: 'id,username', access_token: accessToken },
    });
    const id = requireString(data?.id, 'a user id');
    return { externalId: id, displayName: typeof data.username === 'string' && data.username ? data.username : id };
  }

  /** `POST /{user-id}/threads`: a media container, to publish once Threads has processed it. */
  async createContainer(credentials: ThreadsCredentials, params: Record<string, string>): Promise<string> {
    const { data } = await this.http.post<{ id?: unknown }>(
      `/${VERSION}/${credentials.userId}/threads`,
      new URLSearchParams({ ...params, access_token: credentials.accessToken }),
    );
    return requireString(data?.id, 'a media container id');
  }

  async containerStatus(
    accessToken: string,
    containerId: string,
  ): Promise<{ status?: ContainerStatus; errorMessage?: string }> {
    const { data } = await this.http.get<{ status?: ContainerStatus; error_message?: string }>(
      `/${VERSION}/${containerId}`,
      { params: { fields: 'status,error_message', access_token: accessToken } },
    );
    return { status: data?.status, errorMessage: data?.error_message };
  }

  /** `POST /{user-id}/threads_publish`: the one call that makes a post appear. Resolves its media id. */
  async publishContainer(credentials: ThreadsCredentials, containerId: string): Promise<string> {
    const { data } = await this.http.post<{ id?: unknown }>(
      `/${VERSION}/${credentials.userId}/threads_publish`,
      new URLSearchParams({ creation_id: containerId, access_token: credentials.accessToken }),
    );
    return requireString(data?.id, 'a media id');
  }

  /** Threads may leave the permalink out (copyrighted material). */
  async permalink(accessToken: string, mediaId: string): Promise<string | undefined> {
    const { data } = await this.http.get<{ permalink?: unknown }>(`/${VERSION}/${mediaId}`, {
      params: { fields: 'permalink', access_token: accessToken },
    });
    return typeof data?.permalink === 'string' ? data.permalink : undefined;
  }

  /** A page of the profile's posts (`threads`) or replies (`replies`) published since `since`, newest first. */
  async ownMedia(
    credentials: ThreadsCredentials,
    edge: 'threads' | 'replies',
    options: { fields: string; since: Date; limit: number; after?: string },
  ): Promise<ThreadsMediaPage> {
    const { data } = await this.http.get<{
      data?: ThreadsMedia[];
      paging?: { next?: string; cursors?: { after?: string } };
    }>(`/${VERSION}/${credentials.userId}/${edge}`, {
      params: {
        fields: options.fields,
        since: Math.floor(options.since.getTime() / 1000),
        limit: options.limit,
        ...(options.after ? { after: options.after } : {}),
        access_token: credentials.accessToken,
      },
    });
    const after = data?.paging?.next ? data.paging.cursors?.after : undefined;
    return { data: Array.isArray(data?.data) ? data.data : [], ...(after ? { after } : {}) };
  }

  /** `POST /oauth/access_token`: an authorization code for a short-lived (1 hour) token. */
  async exchangeCode(params: {
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    code: string;
  }): Promise<string> {
    const { data } = await this.http.post<{ access_token?: unknown }>(
      '/oauth/access_token',
      new URLSearchParams({
        client_id: params.clientId,
        client_secret: params.clientSecret,
        grant_type: 'authorization_code',
        redirect_uri: params.redirectUri,
        code: params.code,
      }),
    );
    // The answer's user_id is a JSON number too large to parse exactly: the id comes from /me instead.
    return requireString(data?.access_token, 'an access token');
  }

  /** `GET /access_token`: a short-lived token for a long-lived one (60 days). */
  async longLivedToken(clientSecret: string, shortLivedToken: string): Promise<IssuedToken> {
    return this.token('/access_token', {
      grant_type: 'th_exchange_token',
      client_secret: clientSecret,
      access_token: shortLivedToken,
    });
  }

  /** `GET /refresh_access_token`: a long-lived token (at least a day old, unexpired) for a fresh one. */
  async refreshToken(longLivedToken: string): Promise<IssuedToken> {
    return this.token('/refresh_access_token', { grant_type: 'th_refresh_token', access_token: longLivedToken });
  }

  private async token(path: string, params: Record<string, string>): Promise<IssuedToken> {
    const { data } = await this.http.get<{ access_token?: unknown; expires_in?: unknown }>(path, { params });
    const expiresIn = data?.expires_in;
    return {
      accessToken: requireString(data?.access_token, 'an access token'),
      ...(typeof expiresIn === 'number' && expiresIn > 0 ? { expiresIn } : {}),
    };
  }
}

function requireString(value: unknown, what: string): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new Error(`Threads answered without ${what}`);
}
