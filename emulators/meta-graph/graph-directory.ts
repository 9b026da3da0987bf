import { sequentialIds, type EmulatorRequest } from '../kit/emulator-server.js';
import {
  type GraphNode,
  expiredToken,
  invalidToken,
  missingToken,
  newAccessToken,
  permissionError,
  revokedToken,
  tokenOf,
} from './graph-wire.js';

/** Who is who on the emulated graph: the person who logs in, their Pages, the Instagram accounts, the tokens. */

export const ALL_SCOPES = [
  'pages_show_list',
  'pages_manage_posts',
  'pages_read_engagement',
  'instagram_basic',
  'instagram_content_publish',
] as const;

export interface EmulatedInstagramAccount {
  id: string;
  username: string;
  pageId: string;
}

export interface EmulatedPage {
  id: string;
  name: string;
  instagram?: EmulatedInstagramAccount;
}

/** What an access token stands for: the person (user token) or one of their Pages (Page token). */
export interface Grant {
  token: string;
  userId: string;
  pageId?: string;
  scopes: ReadonlySet<string>;
  expiresAt?: Date;
}

export class GraphDirectory {
  /** The one person who logs in through the emulated dialog; every Page created here is theirs. */
  readonly person = { id: '10160000000000001', name: 'Emulated Admin' };
  readonly pages = new Map<string, EmulatedPage>();
  readonly instagramAccounts = new Map<string, EmulatedInstagramAccount>();
  private readonly grants = new Map<string, Grant>();
  private readonly pageTokens = new Map<string, string>();
  private revoked = new Set<string>();
  private readonly nextPageId = sequentialIds(100_000_000_000_000);
  private readonly nextInstagramId = sequentialIds(17_841_400_000_000_000);

  /** A new Page (with a connected Instagram account unless `instagramUsername` is false) and a Page token for it. */
  createPage(options: { name?: string; instagramUsername?: string | false } = {}) {
    const id = this.nextPageId();
    const page: EmulatedPage = { id, name: options.name ?? `Emulated Page ${this.pages.size + 1}` };
    if (options.instagramUsername !== false) {
      const instagram = {
        id: this.nextInstagramId(),
        username: options.instagramUsername ?? `emulated.account${this.pages.size + 1}`,
        pageId: id,
      };
      page.instagram = instagram;
      this.instagramAccounts.set(instagram.id, instagram);
    }
    this.pages.set(id, page);
    const accessToken = this.grant({ userId: this.person.id, pageId: id, scopes: new Set(ALL_SCOPES) });
    return { page, accessToken };
  }

  issueUserToken(scopes: ReadonlySet<string>, lifetimeSeconds: number): string {
    return this.grant({ userId: this.person.id, scopes, expiresAt: new Date(Date.now() + lifetimeSeconds * 1000) });
  }

  /** The Page token a user token reads in `/me/accounts`: the same one each time, with the user's scopes. */
  pageTokenFor(user: Grant, page: EmulatedPage): string {
    const key = `${user.token}:${page.id}`;
    const known = this.pageTokens.get(key);
    if (known && !this.revoked.has(known)) return known;
    const token = this.grant({ userId: user.userId, pageId: page.id, scopes: user.scopes });
    this.pageTokens.set(key, token);
    return token;
  }

  revoke(token: string): void {
    this.revoked.add(token);
  }

  forgetRevocations(): void {
    this.revoked = new Set();
  }

  /** The request's grant, or Graph's answer to a missing, unknown, revoked or expired token. */
  authenticate(request: EmulatorRequest): Grant {
    return this.check(tokenOf(request));
  }

  check(token: string | undefined): Grant {
    if (!token) throw missingToken();
    const grant = this.grants.get(token);
    if (!grant) throw invalidToken();
    if (this.revoked.has(token)) throw revokedToken();
    if (grant.expiresAt && grant.expiresAt.getTime() <= Date.now()) throw expiredToken(grant.expiresAt);
    return grant;
  }

  requireScopes(grant: Grant, ...scopes: string[]): void {
    const missing = scopes.filter((scope) => !grant.scopes.has(scope));
    if (missing.length > 0) {
      throw permissionError(
        `This endpoint requires the ${missing.map((scope) => `'${scope}'`).join(' and ')} permission`,
      );
    }
  }

  /** Acting on an Instagram account takes a token of its Page, or of the person who manages that Page. */
  mayActForInstagram(grant: Grant, account: EmulatedInstagramAccount): boolean {
    return grant.pageId === undefined ? grant.userId === this.person.id : grant.pageId === account.pageId;
  }

  private grant(fields: Omit<Grant, 'token'>): string {
    const token = newAccessToken();
    this.grants.set(token, { token, ...fields });
    return token;
  }
}

export const instagramAccountNode = (account: EmulatedInstagramAccount): GraphNode => ({
  type: 'IGUser',
  fields: { id: account.id, username: account.username, name: account.username },
});

/** A Page as Graph shows it; its token only to the person managing it, its Instagram account only with instagram_basic. */
export const pageNode = (page: EmulatedPage, seenBy: { accessToken?: string; instagram: boolean }): GraphNode => ({
  type: 'Page',
  fields: {
    id: page.id,
    name: page.name,
    category: 'Brand',
    access_token: seenBy.accessToken,
    instagram_business_account: seenBy.instagram && page.instagram ? instagramAccountNode(page.instagram) : undefined,
  },
  defaultFields: ['name', 'id'],
});
