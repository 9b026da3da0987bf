import type { EmulatorRequest, EmulatorResponse, EmulatorRoute } from '../kit/emulator-server.js';
import { type IssuedToken, stringParam, type ThreadsState } from './threads-state.js';
import {
  AUTHORIZATION_CODE_LIFETIME_MS,
  graphProblem,
  invalidParameter,
  MIN_REFRESH_AGE_MS,
  newCode,
  PERMISSIONS,
} from './threads-wire.js';

/**
 * Threads' OAuth: the authorize window (threads.net/oauth/authorize, which approves at once as the
 * signed-in profile), the code exchange for a short-lived token, the exchange of that for a long-lived
 * token (60 days), and its refresh.
 */
export function threadsOAuthRoutes(state: ThreadsState): EmulatorRoute[] {
  return [
    { name: 'authorize', method: 'GET', path: /^\/oauth\/authorize\/?$/, handle: (r) => authorize(state, r) },
    { name: 'exchangeCode', method: 'POST', path: /^\/oauth\/access_token$/, handle: (r) => exchangeCode(state, r) },
    {
      name: 'exchangeToken',
      method: 'GET',
      path: /^\/access_token$/,
      handle: (request) => {
        requireGrant(request, 'th_exchange_token');
        checkSecret(state, stringParam(request, 'client_secret'));
        const { token } = state.authenticate(request);
        if (token.kind !== 'short-lived') throw invalidParameter('Only a short-lived token can be exchanged');
        return tokenAnswer(state.issueToken(token.userId, 'long-lived', { scopes: token.scopes }));
      },
    },
    {
      name: 'refreshToken',
      method: 'GET',
      path: /^\/refresh_access_token$/,
      handle: (request) => {
        requireGrant(request, 'th_refresh_token');
        const { token } = state.authenticate(request);
        if (token.kind !== 'long-lived') throw invalidParameter('Only a long-lived token can be refreshed');
        if (Date.now() - token.issuedAt.getTime() < MIN_REFRESH_AGE_MS) {
          throw invalidParameter('The access token must be at least 24 hours old to be refreshed');
        }
        return tokenAnswer(state.issueToken(token.userId, 'long-lived', { scopes: token.scopes }));
      },
    },
  ];
}

function authorize(state: ThreadsState, request: EmulatorRequest): EmulatorResponse {
  const query = request.url.searchParams;
  if (query.get('client_id') !== state.app.id) throw invalidParameter('Invalid platform app');
  const redirectUri = query.get('redirect_uri');
  if (!redirectUri || !/^https?:\/\//.test(redirectUri)) throw invalidParameter('Param redirect_uri must be a URL');
  if (query.get('response_type') !== 'code') throw invalidParameter('Param response_type must be code');
  const scopes = (query.get('scope') ?? '').split(',').map((scope) => scope.trim());
  const unknown = scopes.filter((scope) => !(PERMISSIONS as readonly string[]).includes(scope));
  if (unknown.length > 0) throw invalidParameter(`Invalid scopes: ${unknown.join(', ')}`);
  if (!scopes.includes('threads_basic')) throw invalidParameter('The threads_basic permission is required');

  const code = newCode();
  state.codes.set(code, {
    value: code,
    appId: state.app.id,
    redirectUri,
    userId: state.signedInUserId,
    scopes,
    expiresAt: Date.now() + AUTHORIZATION_CODE_LIFETIME_MS,
    used: false,
  });
  const location = new URL(redirectUri);
  location.searchParams.set('code', code);
  const clientState = query.get('state');
  if (clientState !== null) location.searchParams.set('state', clientState);
  // Threads appends "#_" to the redirect.
  return { status: 302, headers: { location: `${location.toString()}#_` } };
}

function exchangeCode(state: ThreadsState, request: EmulatorRequest): EmulatorResponse {
  requireGrant(request, 'authorization_code');
  if (stringParam(request, 'client_id') !== state.app.id) {
    throw graphProblem(400, { message: 'Error validating application. Invalid application ID.', code: 101 });
  }
  checkSecret(state, stringParam(request, 'client_secret'));
  const code = state.codes.get(stringParam(request, 'code') ?? '');
  if (!code) throw invalidParameter('Invalid verification code format.', 36007);
  if (code.used) throw invalidParameter('This authorization code has been used.', 36009);
  if (code.expiresAt <= Date.now()) throw invalidParameter('This authorization code has expired.', 36007);
  if (stringParam(request, 'redirect_uri') !== code.redirectUri) {
    throw invalidParameter(
      'Error validating verification code. Please make sure your redirect_uri is identical to the one you used ' +
        'in the OAuth dialog request',
      36008,
    );
  }
  code.used = true;
  const token = state.issueToken(code.userId, 'short-lived', { scopes: code.scopes });
  // user_id is a JSON number, as Threads sends it (too large for a JavaScript number to hold exactly).
  const body = `{"access_token":${JSON.stringify(token.value)},"user_id":${token.userId}}`;
  return { status: 200, body: Buffer.from(body), headers: { 'content-type': 'application/json; charset=UTF-8' } };
}

function requireGrant(request: EmulatorRequest, grantType: string): void {
  if (stringParam(request, 'grant_type') !== grantType) {
    throw invalidParameter(`Param grant_type must be ${grantType}`);
  }
}

function checkSecret(state: ThreadsState, secret: string | undefined): void {
  if (secret !== state.app.secret) throw graphProblem(400, { message: 'Error validating client secret.', code: 1 });
}

function tokenAnswer(token: IssuedToken): EmulatorResponse {
  const expiresIn = Math.round((token.expiresAt.getTime() - Date.now()) / 1000);
  return { status: 200, body: { access_token: token.value, token_type: 'bearer', expires_in: expiresIn } };
}
