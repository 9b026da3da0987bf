import { createHash } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse, EmulatorRoute } from '../kit/emulator-server.js';
import type { IssuedTokens, LinkedInAccounts } from './linkedin-accounts.js';
import { type Member, memberFromSeed, oauthError, randomToken } from './linkedin-wire.js';

const AUTHORIZATION_CODE_MS = 30 * 60 * 1000;

interface PendingAuthorization {
  member: Member;
  scopes: Set<string>;
  redirectUri: string;
  codeChallenge: string | undefined;
  expiresAt: number;
}

/**
 * LinkedIn's OAuth 2.0 authorization server (www.linkedin.com/oauth/v2): the authorize page, where
 * the member consents at once (each authorization is a new member) and is redirected back with a
 * code, and the token endpoint (authorization code with PKCE, refresh token).
 */
export class LinkedInOAuthServer {
  private pending = new Map<string, PendingAuthorization>();

  constructor(
    private readonly accounts: LinkedInAccounts,
    private readonly client: { clientId: string; clientSecret: string },
  ) {}

  routes(): EmulatorRoute[] {
    return [
      { name: 'authorize', method: 'GET', path: /^\/oauth\/v2\/authorization$/, handle: (r) => this.authorize(r) },
      { name: 'accessToken', method: 'POST', path: /^\/oauth\/v2\/accessToken$/, handle: (r) => this.accessToken(r) },
    ];
  }

  reset(): void {
    this.pending = new Map();
  }

  private authorize(request: EmulatorRequest): EmulatorResponse {
    const query = request.url.searchParams;
    const clientId = query.get('client_id') ?? '';
    if (clientId !== this.client.clientId) {
      throw oauthError(400, 'invalid_client', `The passed in client_id is invalid "${clientId}"`);
    }
    const redirectUri = query.get('redirect_uri');
    if (!redirectUri || !/^https?:\/\//.test(redirectUri)) {
      throw oauthError(400, 'invalid_request', 'The "redirect_uri" parameter is missing or invalid');
    }
    const redirect = new URL(redirectUri);
    const back = (parameters: Record<string, string | null>) => {
      for (const [name, value] of Object.entries(parameters))
        if (value !== null) redirect.searchParams.set(name, value);
      return { status: 302, headers: { location: redirect.toString() } };
    };
    const state = query.get('state');
    const refuse = (error: string, description: string) => back({ error, error_description: description, state });

    if (query.get('response_type') !== 'code') return refuse('invalid_request', 'response_type must be "code"');
    const scopes = new Set((query.get('scope') ?? '').split(/[\s,]+/).filter((scope) => scope !== ''));
    if (scopes.size === 0) return refuse('invalid_scope', 'The "scope" parameter is missing');
    const codeChallenge = query.get('code_challenge') ?? undefined;
    if (codeChallenge && query.get('code_challenge_method') !== 'S256') {
      return refuse('invalid_request', 'code_challenge_method must be "S256"');
    }
    const code = randomToken('AQT', 32);
    this.pending.set(code, {
      member: memberFromSeed(code),
      scopes,
      redirectUri,
      codeChallenge,
      expiresAt: Date.now() + AUTHORIZATION_CODE_MS,
    });
    return back({ code, state });
  }

  private accessToken(request: EmulatorRequest): EmulatorResponse {
    const type = String(request.headers['content-type'] ?? '');
    const form = type.startsWith('application/x-www-form-urlencoded') ? (request.body ?? {}) : {};
    const field = (name: string) => (typeof form[name] === 'string' ? form[name] : undefined);
    const grantType = field('grant_type');
    if (!grantType) throw oauthError(400, 'invalid_request', 'A required parameter "grant_type" is missing');
    if (field('client_id') !== this.client.clientId || field('client_secret') !== this.client.clientSecret) {
      throw oauthError(401, 'invalid_client', 'Client authentication failed');
    }
    if (grantType === 'authorization_code') {
      const code = field('code') ?? '';
      const pending = this.pending.get(code);
      this.pending.delete(code);
      if (!pending || !this.redeems(pending, field('redirect_uri'), field('code_verifier'))) {
        throw oauthError(
          400,
          'invalid_request',
          'Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. ' +
            'Or authorization code expired. Or external member binding exists',
        );
      }
      return tokenResponse(this.accounts.issue(pending.member, pending.scopes));
    }
    if (grantType === 'refresh_token') {
      const tokens = this.accounts.refresh(field('refresh_token') ?? '');
      if (!tokens) {
        throw oauthError(
          400,
          'invalid_grant',
          'The provided authorization grant or refresh token is invalid, expired or revoked',
        );
      }
      return tokenResponse(tokens);
    }
    throw oauthError(400, 'unsupported_grant_type', `The grant type "${grantType}" is not supported`);
  }

  private redeems(pending: PendingAuthorization, redirectUri?: string, verifier?: string): boolean {
    const challengeMet =
      pending.codeChallenge === undefined ||
      (verifier !== undefined && createHash('sha256').update(verifier).digest('base64url') === pending.codeChallenge);
    return pending.expiresAt > Date.now() && pending.redirectUri === redirectUri && challengeMet;
  }
}

const tokenResponse = (tokens: IssuedTokens): EmulatorResponse => ({
  status: 200,
  body: {
    access_token: tokens.accessToken,
    expires_in: tokens.expiresIn,
    refresh_token: tokens.refreshToken,
    refresh_token_expires_in: tokens.refreshExpiresIn,
    scope: [...tokens.scopes].join(','),
    token_type: 'Bearer',
  },
});
