import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorRequest, EmulatorRoute } from '../kit/emulator-server.js';
import { ALL_SCOPES, type GraphDirectory, pageNode } from './graph-directory.js';
import { graphList, graphPath, graphProblem, invalidParameter, param, selectFields } from './graph-wire.js';

/**
 * Facebook Login: the OAuth dialog (which approves at once, as the directory's person), the token endpoint
 * (code with PKCE, and `fb_exchange_token` for a long-lived token), and `/me/accounts`.
 */

export interface EmulatedApp {
  id: string;
  secret: string;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  scopes: Set<string>;
  challenge?: { value: string; method: 'S256' | 'plain' };
  expiresAt: number;
  used: boolean;
}

const CODE_LIFETIME_MS = 10 * 60 * 1000;
const SHORT_LIVED_SECONDS = 2 * 60 * 60;
const LONG_LIVED_SECONDS = 60 * 24 * 60 * 60;

const invalidApp = () =>
  graphProblem(400, { message: 'Error validating application. Invalid application ID.', code: 101 });

export class FacebookLoginEmulation {
  private readonly codes = new Map<string, IssuedCode>();

  constructor(
    private readonly directory: GraphDirectory,
    readonly app: EmulatedApp,
  ) {}

  routes(): EmulatorRoute[] {
    return [
      {
        name: 'loginDialog',
        method: 'GET',
        path: graphPath('/dialog/oauth'),
        handle: (request) => this.dialog(request),
      },
      {
        name: 'accessToken',
        method: 'GET',
        path: graphPath('/oauth/access_token'),
        handle: (request) => ({ status: 200, body: this.token(request) }),
      },
      {
        name: 'meAccounts',
        method: 'GET',
        path: graphPath('/me/accounts'),
        handle: (request) => ({ status: 200, body: this.accounts(request) }),
      },
    ];
  }

  reset(): void {
    this.codes.clear();
  }

  /** The person approves every requested permission at once; the browser goes back to `redirect_uri`. */
  private dialog(request: EmulatorRequest) {
    if (param(request, 'client_id') !== this.app.id) throw invalidApp();
    const redirectUri = param(request, 'redirect_uri');
    if (!redirectUri || !URL.canParse(redirectUri)) {
      throw graphProblem(400, {
        message: "Can't Load URL: The domain of this URL isn't included in the app's domains.",
        code: 191,
      });
    }
    const requested = (param(request, 'scope') ?? '').split(/[,\s]+/).filter((scope) => scope !== '');
    const unknown = requested.filter((scope) => !(ALL_SCOPES as readonly string[]).includes(scope));
    if (unknown.length > 0) throw invalidParameter(`Invalid Scopes: ${unknown.join(', ')}`);
    const challengeValue = param(request, 'code_challenge');
    const method = param(request, 'code_challenge_method') ?? 'plain';
    if (challengeValue !== undefined && method !== 'S256' && method !== 'plain') {
      throw invalidParameter('code_challenge_method must be S256 or plain');
    }

    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, {
      clientId: this.app.id,
      redirectUri,
      scopes: new Set(requested),
      ...(challengeValue === undefined
        ? {}
        : { challenge: { value: challengeValue, method: method as 'S256' | 'plain' } }),
      expiresAt: Date.now() + CODE_LIFETIME_MS,
      used: false,
    });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    const state = param(request, 'state');
    if (state !== undefined) back.searchParams.set('state', state);
    return { status: 302, headers: { location: back.href } };
  }

  private token(request: EmulatorRequest) {
    if (param(request, 'client_id') !== this.app.id) throw invalidApp();
    if (param(request, 'client_secret') !== this.app.secret) {
      throw graphProblem(400, { message: 'Error validating client secret.', code: 1, transient: false });
    }
    if (param(request, 'grant_type') === 'fb_exchange_token') {
      const user = this.directory.check(param(request, 'fb_exchange_token'));
      if (user.pageId !== undefined) throw invalidParameter('fb_exchange_token must be a user access token');
      const token = this.directory.issueUserToken(user.scopes, LONG_LIVED_SECONDS);
      return { access_token: token, token_type: 'bearer', expires_in: LONG_LIVED_SECONDS };
    }

    const issued = this.codes.get(param(request, 'code') ?? '');
    if (!issued || issued.expiresAt < Date.now()) {
      throw graphProblem(400, { message: 'Invalid verification code format.', code: 100, subcode: 36007 });
    }
    if (issued.used)
      throw graphProblem(400, { message: 'This authorization code has been used.', code: 100, subcode: 36009 });
    if (param(request, 'redirect_uri') !== issued.redirectUri) {
      throw graphProblem(400, {
        message:
          'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
        code: 100,
        subcode: 36008,
      });
    }
    if (issued.challenge && !verifies(issued.challenge, param(request, 'code_verifier'))) {
      throw invalidParameter('Invalid code_verifier: it does not match the code_challenge of the OAuth dialog request');
    }
    issued.used = true;
    const token = this.directory.issueUserToken(issued.scopes, SHORT_LIVED_SECONDS);
    return { access_token: token, token_type: 'bearer', expires_in: SHORT_LIVED_SECONDS };
  }

  /** The Pages the person manages, each with a Page token carrying the person's permissions. */
  private accounts(request: EmulatorRequest) {
    const grant = this.directory.authenticate(request);
    if (grant.pageId !== undefined)
      throw invalidParameter('Tried accessing nonexisting field (accounts) on node type (Page)');
    this.directory.requireScopes(grant, 'pages_show_list');
    const pages = [...this.directory.pages.values()].map((page) =>
      selectFields(
        pageNode(page, {
          accessToken: this.directory.pageTokenFor(grant, page),
          instagram: grant.scopes.has('instagram_basic'),
        }),
        request,
      ),
    );
    return graphList(request, pages);
  }
}

function verifies(challenge: NonNullable<IssuedCode['challenge']>, verifier: string | undefined): boolean {
  if (!verifier) return false;
  const derived = challenge.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return derived === challenge.value;
}
