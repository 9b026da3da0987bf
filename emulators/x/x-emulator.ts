import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readBody, type RequestBody, send } from './x-http.js';
import { XMediaUploads } from './x-media.js';
import { EMULATED_X_CLIENT, type IssuedTokens, type XOAuthClient, XOAuthServer } from './x-oauth.js';
import { ROUTES, XRateLimits, type XEndpoint } from './x-routes.js';
import { type RecordedTweet, XTweets } from './x-tweets.js';
import { faultBody, HttpProblem, notFound, snowflakes, unauthorized, userForToken, type XUser } from './x-wire.js';

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

export interface XFault {
  /** Status to answer with. Omitted: answer normally (after `delayMs`, if any). */
  status?: number;
  /** How many matching requests in a row get this fault (default 1). */
  count?: number;
  /** Wait this long before answering (to produce client timeouts). */
  delayMs?: number;
  /** For 429: seconds until x-rate-limit-reset (default 60). */
  resetInSeconds?: number;
  /** Replaces the default X-style error body. */
  body?: object;
  /** Handle the request first, then answer with the fault: "the post landed, the response was lost". */
  afterRecord?: boolean;
  /** Close the connection without answering (the client sees "socket hang up"/ECONNRESET). */
  dropConnection?: boolean;
  /** Only requests to this endpoint match (default: any API request). */
  endpoint?: XEndpoint;
}

export interface RecordedRequest {
  method: string;
  path: string;
  endpoint?: XEndpoint;
  token?: string;
  /** The status answered with; undefined while pending or when the connection was dropped. */
  status?: number;
  receivedAt: Date;
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

interface Answer {
  status: number;
  body?: object | string;
  headers: Record<string, string>;
}

export async function startXEmulator(options: XEmulatorOptions = {}): Promise<XEmulator> {
  const tweets: RecordedTweet[] = [];
  const requests: RecordedRequest[] = [];
  let faults: Array<XFault & { remaining: number }> = [];
  let revoked = new Set<string>();
  let globalDelayMs = 0;
  const sleepers = new Map<NodeJS.Timeout, () => void>();

  const nextId = snowflakes();
  const rateLimits = new XRateLimits();
  const oauthClients = options.oauthClients ?? [EMULATED_X_CLIENT];
  const oauth = new XOAuthServer(oauthClients, options.tokenLifetimeSeconds ?? 2 * 60 * 60);
  const media = new XMediaUploads(nextId, options.mediaLifetimeSeconds ?? 24 * 60 * 60);
  const posts = new XTweets(tweets, media, nextId, options.onTweet);

  const userFor = (token: string): XUser => oauth.lookup(token)?.user ?? userForToken(token);

  const authenticate = (token: string | undefined): XUser => {
    if (!token || revoked.has(token)) throw unauthorized();
    const issued = oauth.lookup(token);
    if (issued && !issued.usable) throw unauthorized();
    return issued?.user ?? userForToken(token);
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sleepers.delete(timer);
        resolve();
      }, ms);
      sleepers.set(timer, resolve);
    });

  const takeFault = (endpoint: XEndpoint): XFault | undefined => {
    const index = faults.findIndex((fault) => fault.endpoint === undefined || fault.endpoint === endpoint);
    if (index < 0) return undefined;
    const fault = faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  };

  const failNext = (fault: XFault) => {
    faults.push({ ...fault, remaining: Math.max(1, fault.count ?? 1) });
  };

  const revokeToken = (token: string) => {
    if (!oauth.revoke(token)) revoked.add(token);
  };

  const reset = () => {
    tweets.length = 0;
    requests.length = 0;
    faults = [];
    revoked = new Set();
    rateLimits.reset();
    globalDelayMs = 0;
    media.reset();
  };

  /** What X answers, before any fault: the endpoint's own work. */
  const perform = (
    endpoint: XEndpoint,
    req: IncomingMessage,
    url: URL,
    params: Record<string, string>,
    token: string | undefined,
    body: RequestBody,
  ): Omit<Answer, 'headers'> & { headers?: Record<string, string> } => {
    switch (endpoint) {
      case 'createTweet':
        return { status: 201, body: posts.create(authenticate(token), token!, body.json) };
      case 'me':
        return { status: 200, body: { data: authenticate(token) } };
      case 'userTweets':
        authenticate(token);
        return { status: 200, body: posts.timeline(params.id, url.searchParams) };
      case 'mediaInitialize':
        return { status: 200, body: media.initialize(authenticate(token), body.json) };
      case 'mediaAppend':
        return { status: 200, body: media.append(authenticate(token), params.id, body.fields ?? {}, body.files) };
      case 'mediaFinalize':
        return { status: 200, body: media.finalize(authenticate(token), params.id) };
      case 'mediaStatus':
        return { status: 200, body: media.status(authenticate(token), url.searchParams) };
      case 'mediaMetadata':
        return { status: 200, body: media.createMetadata(authenticate(token), body.json) };
      case 'oauthToken':
        return { status: 200, body: oauth.token(req.headers.authorization, body.fields) };
      case 'oauthAuthorize': {
        // A web page on x.com, not the API: it redirects or shows an error page.
        const outcome = oauth.authorize(url.searchParams);
        if ('redirect' in outcome) return { status: 302, headers: { location: outcome.redirect } };
        return { status: outcome.status, body: `<!doctype html><title>X</title><p>${escapeHtml(outcome.message)}</p>` };
      }
    }
  };

  const answer = (...args: Parameters<typeof perform>): Answer => {
    const [endpoint, , , , token] = args;
    const headers: Record<string, string> =
      endpoint === 'oauthAuthorize'
        ? {}
        : endpoint === 'oauthToken'
          ? { 'cache-control': 'no-store' }
          : rateLimits.use(endpoint, token);
    try {
      const result = perform(...args);
      return { ...result, headers: { ...headers, ...result.headers } };
    } catch (error) {
      if (error instanceof HttpProblem) return { status: error.status, body: error.body, headers };
      throw error;
    }
  };

  const handleControl = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const parsed = req.method === 'POST' ? await readBody(req, MAX_BODY_BYTES) : undefined;
    const json = parsed?.json;
    const body = (typeof json === 'object' && json !== null ? json : undefined) as Record<string, unknown> | undefined;
    const route = `${req.method} ${path}`;
    if (route === 'POST /_emulator/faults') {
      const list = (Array.isArray(json) ? json : [json]) as XFault[];
      list.filter((fault) => fault && typeof fault === 'object').forEach(failNext);
      return send(res, 200, { queued: faults.length });
    }
    if (route === 'POST /_emulator/delay') {
      globalDelayMs = Math.max(0, Number(body?.ms ?? 0) || 0);
      return send(res, 200, { delayMs: globalDelayMs });
    }
    if (route === 'POST /_emulator/revoke' && typeof body?.token === 'string') {
      revokeToken(body.token);
      return send(res, 200, { revoked: true });
    }
    if (route === 'POST /_emulator/tokens') return send(res, 200, oauth.mint());
    if (route === 'POST /_emulator/reset') {
      reset();
      return send(res, 200, { reset: true });
    }
    if (route === 'GET /_emulator/tweets') {
      return send(res, 200, { data: tweets.map(describeTweet) });
    }
    if (route === 'GET /_emulator/requests') {
      return send(res, 200, { data: requests.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() })) });
    }
    return send(res, 404, { error: `No emulator control at ${route}` });
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const method = req.method ?? 'GET';
    let params: Record<string, string> = {};
    const route = ROUTES.find((candidate) => {
      const match = candidate.method === method ? candidate.path.exec(url.pathname) : null;
      if (match) params = { ...match.groups };
      return match !== null;
    });
    const endpoint = route?.endpoint;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const record: RecordedRequest = { method, path: url.pathname, endpoint, token, receivedAt: new Date() };
    requests.push(record);
    let clientGone = false;
    res.on('finish', () => (record.status = res.statusCode));
    res.on('close', () => (clientGone ||= !res.writableFinished));

    if (!endpoint) {
      const problem = notFound(req.method, url.pathname);
      return send(res, problem.status, problem.body);
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    const fault = takeFault(endpoint);

    // "Landed, then lost": the request takes effect whatever the client ends up seeing.
    const early = fault?.afterRecord ? answer(endpoint, req, url, params, token, body) : undefined;
    const delayMs = (fault?.delayMs ?? 0) + globalDelayMs;
    if (delayMs > 0) await sleep(delayMs);
    if (clientGone || res.destroyed) return; // the client gave up (timeout): nothing more happens

    if (fault?.dropConnection) {
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      const headers =
        fault.status === 429
          ? rateLimits.exhausted(endpoint, fault.resetInSeconds ?? 60)
          : rateLimits.use(endpoint, token);
      return send(res, fault.status, fault.body ?? faultBody(fault.status), headers);
    }
    const { status, body: responseBody, headers } = early ?? answer(endpoint, req, url, params, token, body);
    return send(res, status, responseBody, headers);
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const work = url.pathname.startsWith('/_emulator/')
      ? handleControl(req, res, url.pathname)
      : handleApi(req, res, url);
    void work.catch((error: unknown) => {
      if (error instanceof HttpProblem) return send(res, error.status, error.body);
      send(res, 500, { title: 'Internal Server Error', detail: String(error), type: 'about:blank', status: 500 });
    });
  };

  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : http.createServer(handler);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    tweets,
    requests,
    oauthClient: oauthClients[0],
    failNext,
    setDelay: (ms) => (globalDelayMs = Math.max(0, ms)),
    revokeToken,
    mintTokens: () => oauth.mint(),
    reset,
    userFor,
    close: () =>
      new Promise<void>((resolve) => {
        for (const [timer, wake] of sleepers) {
          clearTimeout(timer);
          wake(); // the request then finds its connection gone and stops
        }
        sleepers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
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
