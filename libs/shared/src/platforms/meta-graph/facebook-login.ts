import type { AxiosInstance } from 'axios';
import type { OAuthClientSettings } from '../platform-definition.js';
import { GRAPH_API_VERSION, graphListItems } from './graph-http.js';

/** A Facebook Page the person who logged in manages, with its Page access token. */
export interface ManagedPage {
  id: string;
  name: string;
  accessToken: string;
  /** The Instagram professional account connected to the Page, when asked for and present. */
  instagram?: { id: string; username: string };
}

/** What a Facebook Login is for: publishing to Pages, or to the Instagram accounts connected to them. */
export type FacebookLoginPurpose = 'pages' | 'instagram';

const SCOPES: Record<FacebookLoginPurpose, string[]> = {
  pages: ['pages_show_list', 'pages_manage_posts', 'pages_read_engagement'],
  instagram: ['pages_show_list', 'pages_read_engagement', 'instagram_basic', 'instagram_content_publish'],
};
const PAGE_FIELDS: Record<FacebookLoginPurpose, string> = {
  pages: 'id,name,access_token',
  instagram: 'id,name,access_token,instagram_business_account{id,username}',
};
/** `/me/accounts` pages of 100 read at most: far more Pages than one person manages. */
const MAX_ACCOUNT_PAGES = 10;

interface TokenAnswer {
  access_token: string;
}

interface AccountEntry {
  id: string;
  name: string;
  access_token?: string;
  instagram_business_account?: { id: string; username?: string };
}

/**
 * Facebook Login (OAuth 2.0 authorization code with PKCE) for the Meta app in FACEBOOK_APP_ID. The
 * code gives a short-lived user token, exchanged for a long-lived one; the Page tokens read with a
 * long-lived user token do not expire, which is why neither platform needs credential renewal.
 */
export class FacebookLogin {
  constructor(
    private readonly settings: OAuthClientSettings,
    private readonly http: AxiosInstance,
    private readonly purpose: FacebookLoginPurpose,
  ) {}

  missingSettings(): string[] {
    return [
      ...(this.settings.clientId === '' ? ['FACEBOOK_APP_ID'] : []),
      ...(this.settings.clientSecret === '' ? ['FACEBOOK_APP_SECRET'] : []),
    ];
  }

  authorizeUrl(params: { redirectUri: string; state: string; codeChallenge: string }): string {
    const query = new URLSearchParams({
      client_id: this.settings.clientId,
      redirect_uri: params.redirectUri,
      state: params.state,
      scope: SCOPES[this.purpose].join(','),
      response_type: 'code',
      code_challenge: params.codeChallenge,
      code_challenge_method: 'S256',
    });
    return `${this.settings.authBaseUrl}/${GRAPH_API_VERSION}/dialog/oauth?${query.toString()}`;
  }

  /** Exchanges the code and lists the Pages the person manages, each with its non-expiring Page token. */
  async managedPages(params: { code: string; redirectUri: string; codeVerifier: string }): Promise<ManagedPage[]> {
    const shortLived = await this.token({
      redirect_uri: params.redirectUri,
      code: params.code,
      code_verifier: params.codeVerifier,
    });
    const longLived = await this.token({ grant_type: 'fb_exchange_token', fb_exchange_token: shortLived });
    const pages: ManagedPage[] = [];
    const entries = graphListItems<AccountEntry>(this.http, '/me/accounts', {
      accessToken: longLived,
      params: { fields: PAGE_FIELDS[this.purpose], limit: '100' },
      maxPages: MAX_ACCOUNT_PAGES,
    });
    for await (const entry of entries) {
      // A Page the person cannot act on comes without a token: nothing to publish with.
      if (!entry.access_token) continue;
      const instagram = entry.instagram_business_account;
      pages.push({
        id: entry.id,
        name: entry.name,
        accessToken: entry.access_token,
        ...(instagram ? { instagram: { id: instagram.id, username: instagram.username ?? instagram.id } } : {}),
      });
    }
    return pages;
  }

  private async token(params: Record<string, string>): Promise<string> {
    const { data } = await this.http.get<TokenAnswer>('/oauth/access_token', {
      params: { client_id: this.settings.clientId, client_secret: this.settings.clientSecret, ...params },
    });
    if (typeof data?.access_token !== 'string') throw new Error('Facebook Login answered without an access token');
    return data.access_token;
  }
}
