import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorClock } from '../kit/emulator-clock.js';
import { oauthProblem, oauthToken, userForToken, type XUser } from './x-wire.js';

/**
 * X's OAuth 2.0 authorization-code flow with PKCE: `GET /i/oauth2/authorize` (the user approves at once)
 * and `POST /2/oauth2/token` (authorization_code and refresh_token grants). Refresh tokens rotate: each
 * works once. Revoking any token of a grant ends the whole grant, as disconnecting the app on X does.
 */

/** An app registered with X; a confidential client has a secret and authenticates with HTTP Basic. */
export interface XOAuthClient {
  clientId: string;
  clientSecret?: string;
}

/** The app the emulator knows unless told otherwise (point X_CLIENT_ID/X_CLIENT_SECRET at it). */
export const EMULATED_X_CLIENT: Required<XOAuthClient> = {
  clientId: 'emulated-x-client-id',
  clientSecret: 'emulated-x-client-secret',
};

export interface IssuedTokens {
  accessToken: string;
  refreshToken?: string;
  /** ISO time the access token stops working. */
  expiresAt: string;
}

const SCOPES = new Set([
  'tweet.read',
  'tweet.write',
  'tweet.moderate.write',
  'users.read',
  'follows.read',
  'follows.write',
  'offline.access',
  'space.read',
  'mute.read',
  'mute.write',
  'like.read',
  'like.write',
  'list.read',
  'list.write',
  'block.read',
  'block.write',
  'bookmark.read',
  'bookmark.write',
  'media.write',
  'dm.read',
  'dm.write',
]);
/** X: "This code is only valid for 30 seconds". */
const CODE_LIFETIME_MS = 30_000;
const INVALID_CODE = 'Value passed for the authorization code was invalid.';
const INVALID_TOKEN = 'Value passed for the token was invalid.';
const BAD_CLIENT = () => oauthProblem(401, 'unauthorized_client', 'Missing valid authorization header');

interface Grant {
  clientId: string;
  user: XUser;
  scope: string;
  revoked: boolean;
}

interface PendingCode {
  grant: Grant;
  redirectUri: string;
  codeChallenge: string;
  method: 'S256' | 'plain';
  expiresAt: number;
}

export type AuthorizeOutcome = { redirect: string } | { status: number; message: string };

export class XOAuthServer {
  private readonly codes = new Map<string, PendingCode>();
  private readonly accessTokens = new Map<string, { grant: Grant; expiresAt: number }>();
  /** Only the newest refresh token of each grant. */
  private readonly refreshTokens = new Map<string, Grant>();

  constructor(
    private readonly clients: readonly XOAuthClient[],
    private readonly tokenLifetimeSeconds: number,
    private readonly clock: EmulatorClock,
  ) {}

  /** `signedIn`: who is signed in to X in the browser that approves; the same person each time it is given. */
  authorize(query: URLSearchParams, signedIn: string): AuthorizeOutcome {
    const client = this.clients.find((candidate) => candidate.clientId === query.get('client_id'));
    const redirectUri = query.get('redirect_uri');
    // Without a known app and a place to send the user back, X can only show an error page.
    if (!client) return { status: 400, message: 'Something went wrong: this app (client_id) is not registered.' };
    if (!redirectUri || !URL.canParse(redirectUri)) {
      return { status: 400, message: 'Something went wrong: redirect_uri is missing or not a URL.' };
    }

    const back = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const refuse = (error: string, description: string) => {
      back.searchParams.set('error', error);
      back.searchParams.set('error_description', description);
      return { redirect: back.toString() };
    };
    const method = query.get('code_challenge_method') ?? 'plain';
    const codeChallenge = query.get('code_challenge');
    const scopes = (query.get('scope') ?? '').split(' ').filter((scope) => scope !== '');
    if (query.get('response_type') !== 'code') return refuse('unsupported_response_type', 'response_type must be code');
    if (!state) return refuse('invalid_request', 'state is required');
    if (!codeChallenge) return refuse('invalid_request', 'code_challenge is required');
    if (method !== 'S256' && method !== 'plain') return refuse('invalid_request', 'code_challenge_method is invalid');
    if (scopes.length === 0 || !scopes.every((scope) => SCOPES.has(scope))) {
      return refuse('invalid_scope', 'scope is missing or names an unknown scope');
    }

    const code = oauthToken('ac');
    const grant: Grant = {
      clientId: client.clientId,
      user: userForToken(`approved-${signedIn}`),
      scope: scopes.join(' '),
      revoked: false,
    };
    this.codes.set(code, { grant, redirectUri, codeChallenge, method, expiresAt: this.clock.now() + CODE_LIFETIME_MS });
    back.searchParams.set('code', code);
    return { redirect: back.toString() };
  }

  /** `POST /2/oauth2/token` with a form body. */
  token(authorization: string | undefined, form: Record<string, string> | undefined): object {
    if (!form) throw oauthProblem(400, 'invalid_request', 'Missing required parameter [grant_type].');
    const clientId = this.authenticateClient(authorization, form.client_id);
    if (form.grant_type === 'authorization_code') return this.redeemCode(clientId, form);
    if (form.grant_type === 'refresh_token') return this.refresh(clientId, form.refresh_token);
    throw oauthProblem(400, 'unsupported_grant_type', `Unsupported grant_type [${form.grant_type ?? ''}].`);
  }

  /** Tokens for a new user, as if they had just connected `client` (for fixtures and the standalone emulator). */
  mint(client: XOAuthClient = this.clients[0]): IssuedTokens {
    const grant: Grant = {
      clientId: client.clientId,
      user: newUser(),
      scope: 'tweet.read tweet.write users.read media.write offline.access',
      revoked: false,
    };
    const issued = this.issue(grant);
    return {
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
      expiresAt: new Date(this.clock.now() + issued.expires_in * 1000).toISOString(),
    };
  }

  /** Whom an access token issued here acts for, and whether it still works; undefined if not issued here. */
  lookup(accessToken: string): { user: XUser; usable: boolean } | undefined {
    const token = this.accessTokens.get(accessToken);
    if (!token) return undefined;
    return { user: token.grant.user, usable: !token.grant.revoked && token.expiresAt > this.clock.now() };
  }

  /** Ends the grant behind an access or refresh token; false when the token was not issued here. */
  revoke(token: string): boolean {
    const grant = this.accessTokens.get(token)?.grant ?? this.refreshTokens.get(token);
    if (grant) grant.revoked = true;
    return grant !== undefined;
  }

  reset(): void {
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
  }

  private authenticateClient(authorization: string | undefined, bodyClientId: string | undefined): string {
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (basic) {
      const [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent);
      const client = this.clients.find((candidate) => candidate.clientId === id);
      if (!client?.clientSecret || client.clientSecret !== secret) throw BAD_CLIENT();
      if (bodyClientId !== undefined && bodyClientId !== id) {
        throw oauthProblem(400, 'invalid_request', 'client_id does not match the authorization header.');
      }
      return client.clientId;
    }
    // Only a public client (no secret) may identify itself by client_id alone.
    const client = this.clients.find((candidate) => candidate.clientId === bodyClientId);
    if (!client || client.clientSecret) throw BAD_CLIENT();
    return client.clientId;
  }

  private redeemCode(clientId: string, form: Record<string, string>): object {
    const pending = this.codes.get(form.code ?? '');
    this.codes.delete(form.code ?? '');
    const verifier = form.code_verifier ?? '';
    const challenge = pending?.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
    const valid =
      pending !== undefined &&
      pending.expiresAt > this.clock.now() &&
      pending.grant.clientId === clientId &&
      pending.redirectUri === form.redirect_uri &&
      verifier !== '' &&
      challenge === pending.codeChallenge;
    if (!valid) throw oauthProblem(400, 'invalid_request', INVALID_CODE);
    return this.issue(pending.grant);
  }

  private refresh(clientId: string, refreshToken: string | undefined): object {
    const grant = this.refreshTokens.get(refreshToken ?? '');
    if (!grant || grant.revoked || grant.clientId !== clientId) {
      throw oauthProblem(400, 'invalid_request', INVALID_TOKEN);
    }
    this.refreshTokens.delete(refreshToken!);
    return this.issue(grant);
  }

  private issue(grant: Grant) {
    const accessToken = oauthToken('at');
    this.accessTokens.set(accessToken, { grant, expiresAt: this.clock.now() + this.tokenLifetimeSeconds * 1000 });
    const offline = grant.scope.split(' ').includes('offline.access');
    const refreshToken = offline ? oauthToken('rt') : undefined;
    if (refreshToken) this.refreshTokens.set(refreshToken, grant);
    return {
      token_type: 'bearer',
      expires_in: this.tokenLifetimeSeconds,
      access_token: accessToken,
      scope: grant.scope,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    };
  }
}

/** Each approval comes from a new account, distinct across emulator runs. */
const newUser = (): XUser => userForToken(`approved-${randomBytes(12).toString('hex')}`);
