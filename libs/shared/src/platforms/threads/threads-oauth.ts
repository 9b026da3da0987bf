import type { OAuthClientSettings } from '../platform-definition.js';
import type { ConnectedAccount, CredentialRenewal, OAuthConnection } from '../platform-provider.js';
import type { ThreadsCredentials } from './threads-credentials.js';
import type { IssuedToken, ThreadsGraphClient } from './threads-graph.client.js';

/**
 * `threads_read_replies` lets Herald look a thread's later parts up after a lost answer (findPublished);
 * replying to one's own posts needs nothing beyond `threads_content_publish`.
 */
export const THREADS_SCOPES = ['threads_basic', 'threads_content_publish', 'threads_read_replies'];
/** Long-lived tokens last 60 days (what Threads documents, when an answer omits `expires_in`). */
const LONG_LIVED_TOKEN_MS = 60 * 24 * 60 * 60 * 1000;
/** Refreshed this long before they expire, so a few failed attempts still leave time. */
const RENEW_BEFORE_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Connecting a Threads profile: the authorize window, then the code for a short-lived token, that for a
 * long-lived one, and /me for whose it is. Threads documents no PKCE for this flow (the app secret
 * authenticates the exchange), so the code challenge is not sent.
 */
export class ThreadsOAuth implements OAuthConnection<ThreadsCredentials> {
  constructor(
    private readonly settings: OAuthClientSettings,
    private readonly graph: ThreadsGraphClient,
  ) {}

  missingSettings(): string[] {
    return [
      ...(this.settings.clientId === '' ? ['THREADS_APP_ID'] : []),
      ...(this.settings.clientSecret === '' ? ['THREADS_APP_SECRET'] : []),
    ];
  }

  authorizeUrl(params: { redirectUri: string; state: string; codeChallenge: string }): string {
    const query = new URLSearchParams({
      client_id: this.settings.clientId,
      redirect_uri: params.redirectUri,
      scope: THREADS_SCOPES.join(','),
      response_type: 'code',
      state: params.state,
    });
    return `${this.settings.authBaseUrl}/oauth/authorize?${query.toString()}`;
  }

  async exchangeCode(params: {
    code: string;
    redirectUri: string;
    codeVerifier: string;
  }): Promise<ConnectedAccount<ThreadsCredentials>[]> {
    const shortLived = await this.graph.exchangeCode({
      clientId: this.settings.clientId,
      clientSecret: this.settings.clientSecret,
      redirectUri: params.redirectUri,
      code: params.code,
    });
    const longLived = await this.graph.longLivedToken(this.settings.clientSecret, shortLived);
    const identity = await this.graph.me(longLived.accessToken);
    return [{ credentials: { userId: identity.externalId, ...tokenCredentials(longLived) }, identity }];
  }
}

/** Long-lived tokens are refreshed a week before they expire; without a known expiry, never. */
export class ThreadsTokenRenewal implements CredentialRenewal<ThreadsCredentials> {
  constructor(private readonly graph: ThreadsGraphClient) {}

  renewAt(credentials: ThreadsCredentials): Date | null {
    if (!credentials.expiresAt) return null;
    return new Date(Date.parse(credentials.expiresAt) - RENEW_BEFORE_EXPIRY_MS);
  }

  async renew(credentials: ThreadsCredentials): Promise<ThreadsCredentials> {
    const refreshed = await this.graph.refreshToken(credentials.accessToken);
    return { userId: credentials.userId, ...tokenCredentials(refreshed) };
  }
}

function tokenCredentials(token: IssuedToken): Pick<ThreadsCredentials, 'accessToken' | 'expiresAt'> {
  const lifetimeMs = token.expiresIn !== undefined ? token.expiresIn * 1000 : LONG_LIVED_TOKEN_MS;
  return { accessToken: token.accessToken, expiresAt: new Date(Date.now() + lifetimeMs).toISOString() };
}
