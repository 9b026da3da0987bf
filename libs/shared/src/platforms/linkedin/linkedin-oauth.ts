import type { AxiosInstance } from 'axios';
import type { OAuthClientSettings } from '../platform-definition.js';
import type { ConnectedAccount, CredentialRenewal, OAuthConnection } from '../platform-provider.js';
import { type LinkedInApi, memberIdentity } from './linkedin-api.js';
import type { LinkedInCredentials } from './linkedin-credentials.js';

/** What Herald asks a member for: who they are (OpenID) and the right to post as them. */
const SCOPES = ['openid', 'profile', 'w_member_social'];
/** Access tokens live 60 days; renewing a week early leaves room for LinkedIn or Herald being down. */
const RENEW_BEFORE_EXPIRY_MS = 7 * 24 * 3600 * 1000;

/**
 * LinkedIn's OAuth 2.0 authorization server (www.linkedin.com/oauth/v2): connecting a member with the
 * authorization-code flow (PKCE), and renewing access tokens with refresh tokens, which LinkedIn
 * grants only to apps it has approved for them (otherwise the member reconnects after 60 days).
 */
export class LinkedInAuthorization
  implements OAuthConnection<LinkedInCredentials>, CredentialRenewal<LinkedInCredentials>
{
  constructor(
    private readonly settings: OAuthClientSettings,
    private readonly http: AxiosInstance,
    private readonly api: LinkedInApi,
  ) {}

  missingSettings(): string[] {
    const missing: string[] = [];
    if (this.settings.clientId === '') missing.push('LINKEDIN_CLIENT_ID');
    if (this.settings.clientSecret === '') missing.push('LINKEDIN_CLIENT_SECRET');
    return missing;
  }

  authorizeUrl(params: { redirectUri: string; state: string; codeChallenge: string }): string {
    const query = Object.entries({
      response_type: 'code',
      client_id: this.settings.clientId,
      redirect_uri: params.redirectUri,
      state: params.state,
      scope: SCOPES.join(' '),
      code_challenge: params.codeChallenge,
      code_challenge_method: 'S256',
    })
      .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
      .join('&');
    return `${this.settings.authBaseUrl}/oauth/v2/authorization?${query}`;
  }

  async exchangeCode(params: {
    code: string;
    redirectUri: string;
    codeVerifier: string;
  }): Promise<ConnectedAccount<LinkedInCredentials>[]> {
    const credentials = await this.requestTokens({
      grant_type: 'authorization_code',
      code: params.code,
      redirect_uri: params.redirectUri,
      code_verifier: params.codeVerifier,
    });
    const member = await this.api.userinfo(credentials.accessToken);
    return [{ credentials, identity: memberIdentity(member) }];
  }

  renewAt(credentials: LinkedInCredentials): Date | null {
    if (!credentials.refreshToken || !credentials.expiresAt) return null;
    return new Date(Date.parse(credentials.expiresAt) - RENEW_BEFORE_EXPIRY_MS);
  }

  async renew(credentials: LinkedInCredentials): Promise<LinkedInCredentials> {
    if (!credentials.refreshToken) throw new Error('These LinkedIn credentials have no refresh token to renew with');
    const renewed = await this.requestTokens({ grant_type: 'refresh_token', refresh_token: credentials.refreshToken });
    return { ...credentials, ...renewed, refreshToken: renewed.refreshToken ?? credentials.refreshToken };
  }

  private async requestTokens(grant: Record<string, string>): Promise<LinkedInCredentials> {
    const form = new URLSearchParams({
      ...grant,
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret,
    });
    const { data } = await this.http.post<unknown>(`${this.settings.authBaseUrl}/oauth/v2/accessToken`, form);
    const tokens = data as { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown } | undefined;
    if (typeof tokens?.access_token !== 'string' || typeof tokens.expires_in !== 'number') {
      throw new Error('LinkedIn answered the token request without an access token and its lifetime');
    }
    return {
      accessToken: tokens.access_token,
      expiresAt: new Date(Date.now() + tokens.expires_in * 1000).toISOString(),
      ...(typeof tokens.refresh_token === 'string' ? { refreshToken: tokens.refresh_token } : {}),
    };
  }
}
