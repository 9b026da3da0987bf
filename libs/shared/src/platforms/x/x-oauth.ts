import type { OAuthClientSettings } from '../platform-definition.js';
import type { ConnectedAccount, CredentialRenewal, OAuthConnection } from '../platform-provider.js';
import type { XApiClients } from './x-api-clients.js';
import { type XCredentials, xIdentity } from './x-credentials.js';

/** twitter-api-v2 sends it to X_API_BASE_URL (see XApiClients). */
const TOKEN_URL = 'https://api.x.com/2/oauth2/token';
/** What Herald asks for: post (with media), know who the user is, and keep access (a refresh token). */
const SCOPES = 'tweet.read tweet.write users.read media.write offline.access';
/** X's access tokens live 2 hours; renew a quarter of an hour ahead, leaving room for retries. */
const RENEW_BEFORE_EXPIRY_MS = 15 * 60 * 1000;

interface XTokenResponse {
  token_type: string;
  expires_in: number;
  access_token: string;
  scope: string;
  refresh_token?: string;
}

/** X's token endpoint (`POST /2/oauth2/token`): both grants, answered with fresh credentials. */
export class XTokenEndpoint {
  constructor(
    private readonly clients: XApiClients,
    private readonly app: OAuthClientSettings,
  ) {}

  exchangeCode(params: { code: string; redirectUri: string; codeVerifier: string }): Promise<XCredentials> {
    return this.grant({
      grant_type: 'authorization_code',
      code: params.code,
      redirect_uri: params.redirectUri,
      code_verifier: params.codeVerifier,
    });
  }

  /** X rotates refresh tokens: the one given is spent, the answer carries the next. */
  refresh(refreshToken: string): Promise<XCredentials> {
    return this.grant({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private async grant(body: Record<string, string>): Promise<XCredentials> {
    if (!this.app.clientId) throw new Error('X_CLIENT_ID is not set: Herald cannot ask X for tokens');
    const requestedAt = Date.now();
    // Not twitter-api-v2's loginWithOAuth2/refreshOAuth2Token: 1.29 sends those as JSON (its body-type
    // detection reads `url.password` where it means `url.pathname`) with the secret in the body as well as
    // in the Basic header. X documents a form body, and one way of authenticating the client.
    const tokens = await this.clients
      .forApp(this.app)
      .post<XTokenResponse>(TOKEN_URL, { ...body, client_id: this.app.clientId }, { forceBodyMode: 'url' });
    if (typeof tokens?.access_token !== 'string' || typeof tokens.expires_in !== 'number') {
      throw new Error('X answered the token request without an access token');
    }
    return {
      accessToken: tokens.access_token,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      expiresAt: new Date(requestedAt + tokens.expires_in * 1000).toISOString(),
    };
  }
}

/** Renews X credentials that carry a refresh token, before their 2-hour access token runs out. */
export class XTokenRenewal implements CredentialRenewal<XCredentials> {
  constructor(private readonly tokens: XTokenEndpoint) {}

  renewAt(credentials: XCredentials): Date | null {
    if (!credentials.refreshToken || !credentials.expiresAt) return null;
    return new Date(Date.parse(credentials.expiresAt) - RENEW_BEFORE_EXPIRY_MS);
  }

  async renew(credentials: XCredentials): Promise<XCredentials> {
    if (!credentials.refreshToken) throw new Error('These X credentials have no refresh token to renew them with');
    return this.tokens.refresh(credentials.refreshToken);
  }
}

/** Connecting an X account: X's authorize page, then the code for tokens and the user they belong to. */
export class XOAuthConnection implements OAuthConnection<XCredentials> {
  constructor(
    private readonly app: OAuthClientSettings,
    private readonly tokens: XTokenEndpoint,
    private readonly clients: XApiClients,
  ) {}

  missingSettings(): string[] {
    const settings: Array<[string, string]> = [
      ['X_CLIENT_ID', this.app.clientId],
      ['X_CLIENT_SECRET', this.app.clientSecret],
    ];
    return settings.filter(([, value]) => value === '').map(([name]) => name);
  }

  authorizeUrl(params: { redirectUri: string; state: string; codeChallenge: string }): string {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: this.app.clientId,
      redirect_uri: params.redirectUri,
      scope: SCOPES,
      state: params.state,
      code_challenge: params.codeChallenge,
      code_challenge_method: 'S256',
    });
    // %20 rather than URLSearchParams' `+` between scopes, as X's documentation writes them.
    return `${this.app.authBaseUrl}/i/oauth2/authorize?${query.toString().replace(/\+/g, '%20')}`;
  }

  async exchangeCode(params: {
    code: string;
    redirectUri: string;
    codeVerifier: string;
  }): Promise<ConnectedAccount<XCredentials>[]> {
    const credentials = await this.tokens.exchangeCode(params);
    const { data: user } = await this.clients.forUser(credentials.accessToken).v2.me();
    return [{ credentials, identity: xIdentity(user) }];
  }
}
