import { randomBytes } from 'node:crypto';
import { type EmulatorClock, systemClock } from '../kit/emulator-clock.js';
import {
  type EmulatorFault,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
  HttpProblem,
  type RecordedRequest as KitRecordedRequest,
  startEmulatorServer,
} from '../kit/emulator-server.js';
import { XMediaUploads } from './x-media.js';
import { EMULATED_X_CLIENT, type IssuedTokens, type XOAuthClient, XOAuthServer } from './x-oauth.js';
import { ROUTES, XRateLimits, type XEndpoint } from './x-routes.js';
import { type RecordedTweet, XTweets } from './x-tweets.js';
import { faultBody, snowflakes, unauthorized, userForToken, type XUser } from './x-wire.js';

/**
 * An in-process stand-in for the parts of X that Herald calls, speaking the same wire format (API v2 bodies,
 * status codes, x-rate-limit-* headers, chunked media upload, OAuth 2.0 with PKCE), with knobs to make it
 * fail on purpose. Deliberately independent of Herald's own code, so it cannot share Herald's bugs.
 *
 * Any bearer token is accepted as some user (derived from the token) unless it was revoked; tokens the
 * emulator issued itself (OAuth, `mintTokens`) belong to the user who approved them and expire.
 */

export type { XEndpoint } from './x-routes.js';
export type { RecordedTweet } from './x-tweets.js';
export type { AttachedMedia } from './x-media.js';
export { EMULATED_X_CLIENT, type IssuedTokens, type XOAuthClient } from './x-oauth.js';

/** The kit's faults, aimed at an X endpoint; a 429 carries x-rate-limit-reset `resetInSeconds` away. */
export interface XFault extends Omit<EmulatorFault, 'route'> {
  /** Only requests to this endpoint match (default: any API request). */
  endpoint?: XEndpoint;
}

/** A request as the emulator saw it, named in X's terms: the endpoint and the bearer token. */
export interface RecordedRequest extends KitRecordedRequest {
  endpoint?: XEndpoint;
  token?: string;
}

export interface XEmulatorOptions {
  port?: number;
  host?: string;
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Called for every tweet recorded (e.g. to log it). */
  onTweet?: (tweet: RecordedTweet) => void;
  /** The apps registered for OAuth (default: {@link EMULATED_X_CLIENT}). */
  oauthClients?: XOAuthClient[];
  /** How long issued access tokens work (X: 2 hours). */
  tokenLifetimeSeconds?: number;
  /** How long uploaded media can be attached to a post (X: 24 hours). */
  mediaLifetimeSeconds?: number;
  /** Token, code and media expiry and rate-limit windows follow this clock (default: the system's). */
  clock?: EmulatorClock;
}

export interface XEmulator {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:4567` (API and authorize page alike). */
  readonly url: string;
  readonly tweets: RecordedTweet[];
  readonly requests: RecordedRequest[];
  /** The app registered for OAuth (the first of `oauthClients`). */
  readonly oauthClient: XOAuthClient;
  failNext(fault: XFault): void;
  setDelay(ms: number): void;
  /** Revokes a token; for a token the emulator issued, the whole grant (its refresh token too). */
  revokeToken(token: string): void;
  /** Tokens (with a refresh token) for a new user, as if they had just connected `oauthClient`. */
  mintTokens(): IssuedTokens;
  /** Forgets tweets, uploads, requests, faults, revocations of unissued tokens and the delay; grants stay. */
  reset(): void;
  userFor(token: string): XUser;
  close(): Promise<void>;
}

/** An append carries one chunk of up to 5 MB, in multipart. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;

/** The emulated x.com session of the browser that approved a connection. */
const SESSION_COOKIE = /(?:^|;\s*)x_session=([0-9a-f]+)/;

export async function startXEmulator(options: XEmulatorOptions = {}): Promise<XEmulator> {
  const clock = options.clock ?? systemClock;
  const tweets: RecordedTweet[] = [];
  let revoked = new Set<string>();

  const nextId = snowflakes();
  const rateLimits = new XRateLimits(clock);
  const oauthClients = options.oauthClients ?? [EMULATED_X_CLIENT];
  const oauth = new XOAuthServer(oauthClients, options.tokenLifetimeSeconds ?? 2 * 60 * 60, clock);
  const media = new XMediaUploads(nextId, options.mediaLifetimeSeconds ?? 24 * 60 * 60, clock);
  const posts = new XTweets(tweets, media, nextId, clock, options.onTweet);

  const userFor = (token: string): XUser => oauth.lookup(token)?.user ?? userForToken(token);

  const authenticate = (token: string | undefined): XUser => {
    if (!token || revoked.has(token)) throw unauthorized();
    const issued = oauth.lookup(token);
    if (issued && !issued.usable) throw unauthorized();
    return issued?.user ?? userForToken(token);
  };

  const revokeToken = (token: string) => {
    if (!oauth.revoke(token)) revoked.add(token);
  };

  /** What each endpoint does; answers are JSON unless said otherwise. */
  const perform: Record<XEndpoint, (request: EmulatorRequest) => EmulatorResponse> = {
    createTweet: ({ bearer, body }) => ({ status: 201, body: posts.create(authenticate(bearer), bearer!, body) }),
    me: ({ bearer }) => ({ status: 200, body: { data: authenticate(bearer) } }),
    userTweets: ({ bearer, params, url }) => {
      authenticate(bearer);
      return { status: 200, body: posts.timeline(params.id, url.searchParams) };
    },
    mediaInitialize: ({ bearer, body }) => ({ status: 200, body: media.initialize(authenticate(bearer), body) }),
    mediaAppend: ({ bearer, params, body, files }) => ({
      status: 200,
      body: media.append(authenticate(bearer), params.id, body ?? {}, files),
    }),
    mediaFinalize: ({ bearer, params }) => ({ status: 200, body: media.finalize(authenticate(bearer), params.id) }),
    mediaStatus: ({ bearer, url }) => ({ status: 200, body: media.status(authenticate(bearer), url.searchParams) }),
    mediaMetadata: ({ bearer, body }) => ({ status: 200, body: media.createMetadata(authenticate(bearer), body) }),
    oauthToken: ({ headers, body }) => {
      const isForm = (headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      const form = isForm ? (body as Record<string, string> | undefined) : undefined;
      return { status: 200, body: oauth.token(headers.authorization, form), headers: { 'cache-control': 'no-store' } };
    },
    oauthAuthorize: ({ url, headers }): EmulatorResponse => {
      // A web page on x.com, not the API: it redirects or shows an error page. A browser that sends
      // back the session cookie of an earlier approval is the same person on X (connecting again).
      const session = SESSION_COOKIE.exec(headers.cookie ?? '')?.[1] ?? randomBytes(12).toString('hex');
      const outcome = oauth.authorize(url.searchParams, session);
      if ('redirect' in outcome) {
        return {
          status: 302,
          headers: { location: outcome.redirect, 'set-cookie': `x_session=${session}; Path=/; HttpOnly` },
        };
      }
      const page = `<!doctype html><title>X</title><p>${escapeHtml(outcome.message)}</p>`;
      return {
        status: outcome.status,
        body: Buffer.from(page),
        headers: { 'content-type': 'text/html; charset=utf-8' },
      };
    },
  };

  /** API answers, errors included, carry the caller's x-rate-limit-* usage; the OAuth pages do not. */
  const withUsage =
    (endpoint: XEndpoint) =>
    (request: EmulatorRequest): EmulatorResponse => {
      if (endpoint === 'oauthAuthorize' || endpoint === 'oauthToken') return perform[endpoint](request);
      const usage = rateLimits.use(endpoint, request.bearer);
      try {
        const response = perform[endpoint](request);
        return { ...response, headers: { ...usage, ...response.headers } };
      } catch (error) {
        if (error instanceof HttpProblem) throw new HttpProblem(error.status, error.body, usage);
        throw error;
      }
    };

  const routes: EmulatorRoute[] = ROUTES.map(({ endpoint, method, path }) => ({
    name: endpoint,
    method,
    path,
    handle: withUsage(endpoint),
  }));

  const server = await startEmulatorServer({
    name: 'x-emulator',
    routes,
    port: options.port,
    host: options.host,
    tls: options.tls,
    maxBodyBytes: MAX_BODY_BYTES,
    errorBody: (status, message) => faultBody(status, message),
    rateLimitHeaders: (resetInSeconds, route) => rateLimits.exhausted(route as XEndpoint, resetInSeconds),
    controls: {
      'POST /_emulator/revoke': (body) => {
        if (typeof body?.token !== 'string') throw new HttpProblem(400, { error: 'token is required' });
        revokeToken(body.token);
        return { revoked: true };
      },
      'POST /_emulator/tokens': () => oauth.mint(),
      'GET /_emulator/tweets': () => ({ data: tweets.map(describeTweet) }),
    },
    onReset: () => {
      tweets.length = 0;
      revoked = new Set();
      rateLimits.reset();
      media.reset();
    },
  });

  return {
    url: server.url,
    tweets,
    get requests() {
      // The kit's own records, named as X's tests know them: live, so a pending request's status shows once answered.
      return server.requests.map((request) =>
        Object.assign(request, { endpoint: request.route as XEndpoint | undefined, token: request.bearer }),
      );
    },
    oauthClient: oauthClients[0],
    failNext: ({ endpoint, ...fault }) => server.failNext({ ...fault, route: endpoint }),
    setDelay: (ms) => server.setDelay(ms),
    revokeToken,
    mintTokens: () => oauth.mint(),
    reset: () => server.reset(),
    userFor,
    close: () => server.close(),
  };
}

/** A tweet as the control API lists it: media as type, size and alt text rather than bytes. */
function describeTweet(tweet: RecordedTweet) {
  return {
    ...tweet,
    receivedAt: tweet.receivedAt.toISOString(),
    media: tweet.media?.map(({ data, ...item }) => ({ ...item, sizeBytes: data.length })),
  };
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
