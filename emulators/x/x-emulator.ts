import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  duplicateContent,
  faultBody,
  HttpProblem,
  invalidRequest,
  notFound,
  renderText,
  snowflakes,
  unauthorized,
  userForToken,
  weightedLength,
  X_MAX_WEIGHTED_LENGTH,
} from './x-wire.js';

/**
 * An in-process stand-in for the parts of the X API v2 that Herald calls, speaking the same wire format
 * (bodies, status codes, x-rate-limit-* headers), with knobs to make it fail on purpose.
 * Deliberately independent of Herald's own code, so it cannot share Herald's bugs.
 */

export type XEndpoint = 'createTweet' | 'me' | 'userTweets';

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
  /** Record the tweet first, then answer with the fault: "the post landed, the response was lost". */
  afterRecord?: boolean;
  /** Close the connection without answering (the client sees "socket hang up"/ECONNRESET). */
  dropConnection?: boolean;
  /** Only requests to this endpoint match (default: any API request). */
  endpoint?: XEndpoint;
}

export interface RecordedTweet {
  id: string;
  text: string;
  authorId: string;
  token: string;
  receivedAt: Date;
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
}

export interface XEmulator {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:4567`. */
  readonly url: string;
  readonly tweets: RecordedTweet[];
  readonly requests: RecordedRequest[];
  failNext(fault: XFault): void;
  setDelay(ms: number): void;
  revokeToken(token: string): void;
  /** Forgets tweets, requests, faults, revocations and the delay. */
  reset(): void;
  userFor(token: string): { id: string; name: string; username: string };
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const RATE_LIMITS: Record<XEndpoint, number> = { createTweet: 200, me: 75, userTweets: 900 };
const WINDOW_MS = 15 * 60 * 1000;

export async function startXEmulator(options: XEmulatorOptions = {}): Promise<XEmulator> {
  const tweets: RecordedTweet[] = [];
  const requests: RecordedRequest[] = [];
  let faults: Array<XFault & { remaining: number }> = [];
  let revoked = new Set<string>();
  let usage = new Map<string, { windowStart: number; used: number }>();
  let globalDelayMs = 0;
  const sleepers = new Map<NodeJS.Timeout, () => void>();

  const userFor = userForToken;
  const nextId = snowflakes();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sleepers.delete(timer);
        resolve();
      }, ms);
      sleepers.set(timer, resolve);
    });

  const takeFault = (endpoint: XEndpoint | undefined): XFault | undefined => {
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

  const reset = () => {
    tweets.length = 0;
    requests.length = 0;
    faults = [];
    revoked = new Set();
    usage = new Map();
    globalDelayMs = 0;
  };

  const rateLimitHeaders = (endpoint: XEndpoint, token: string | undefined): Record<string, string> => {
    const key = `${endpoint}:${token ?? ''}`;
    const now = Date.now();
    let window = usage.get(key);
    if (!window || now - window.windowStart >= WINDOW_MS) {
      window = { windowStart: now, used: 0 };
      usage.set(key, window);
    }
    window.used += 1;
    const limit = RATE_LIMITS[endpoint];
    return {
      'x-rate-limit-limit': String(limit),
      // The emulator never limits on its own (use a 429 fault); it only reports plausible numbers.
      'x-rate-limit-remaining': String(Math.max(1, limit - window.used)),
      'x-rate-limit-reset': String(Math.ceil((window.windowStart + WINDOW_MS) / 1000)),
    };
  };

  const send = (res: ServerResponse, status: number, body?: object, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.headersSent) return;
    const payload = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      'content-length': String(Buffer.byteLength(payload)),
    });
    res.end(payload);
  };

  const readJson = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw invalidRequest('Request body is too large.');
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw invalidRequest('Request body is not valid JSON.');
    }
  };

  const bearerToken = (req: IncomingMessage): string | undefined => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return match?.[1];
  };

  const authenticate = (token: string | undefined) => {
    if (!token || revoked.has(token)) throw unauthorized();
    return userFor(token);
  };

  const createTweet = (token: string | undefined, body: unknown) => {
    const author = authenticate(token);
    const text = (body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string' || text.trim() === '') {
      throw invalidRequest('$.text: text is required and must be a non-empty string');
    }
    const length = weightedLength(text);
    if (length > X_MAX_WEIGHTED_LENGTH) {
      throw invalidRequest(`$.text: Tweet text is too long (${length} weighted characters; the limit is 280)`);
    }
    if (tweets.some((tweet) => tweet.authorId === author.id && tweet.text === text)) {
      throw duplicateContent();
    }
    const tweet: RecordedTweet = { id: nextId(), text, authorId: author.id, token: token!, receivedAt: new Date() };
    tweets.push(tweet);
    options.onTweet?.(tweet);
    return tweet;
  };

  const userTweets = (token: string | undefined, userId: string, query: URLSearchParams) => {
    authenticate(token);
    const maxResults = Number(query.get('max_results') ?? '10');
    if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 100) {
      throw invalidRequest('The `max_results` query parameter value is not between 5 and 100');
    }
    const bound = (name: string): number | undefined => {
      const value = query.get(name);
      if (value === null) return undefined;
      const time = Date.parse(value);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(time)) {
        throw invalidRequest(`Invalid '${name}':'${value}'. '${name}' must be a RFC 3339 date-time.`);
      }
      return time;
    };
    const start = bound('start_time');
    const end = bound('end_time');
    const offset = Number(Buffer.from(query.get('pagination_token') ?? '', 'base64url').toString() || '0');
    const matching = tweets
      .filter((tweet) => tweet.authorId === userId)
      .filter((tweet) => start === undefined || tweet.receivedAt.getTime() >= start)
      .filter((tweet) => end === undefined || tweet.receivedAt.getTime() <= end)
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    const page = matching.slice(offset, offset + maxResults);
    if (page.length === 0) return { meta: { result_count: 0 } };
    const hasMore = offset + maxResults < matching.length;
    return {
      data: page.map((tweet) => ({
        id: tweet.id,
        text: renderText(tweet.text),
        created_at: tweet.receivedAt.toISOString(),
        edit_history_tweet_ids: [tweet.id],
      })),
      meta: {
        result_count: page.length,
        newest_id: page[0].id,
        oldest_id: page[page.length - 1].id,
        ...(hasMore ? { next_token: Buffer.from(String(offset + maxResults)).toString('base64url') } : {}),
      },
    };
  };

  const handleControl = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const body = req.method === 'POST' ? ((await readJson(req)) as Record<string, unknown> | undefined) : undefined;
    const route = `${req.method} ${path}`;
    if (route === 'POST /_emulator/faults') {
      const list = (Array.isArray(body) ? body : [body]) as XFault[];
      list.filter((fault) => fault && typeof fault === 'object').forEach(failNext);
      return send(res, 200, { queued: faults.length });
    }
    if (route === 'POST /_emulator/delay') {
      globalDelayMs = Math.max(0, Number(body?.ms ?? 0) || 0);
      return send(res, 200, { delayMs: globalDelayMs });
    }
    if (route === 'POST /_emulator/revoke' && typeof body?.token === 'string') {
      revoked.add(body.token);
      return send(res, 200, { revoked: true });
    }
    if (route === 'POST /_emulator/reset') {
      reset();
      return send(res, 200, { reset: true });
    }
    if (route === 'GET /_emulator/tweets') {
      return send(res, 200, { data: tweets.map((t) => ({ ...t, receivedAt: t.receivedAt.toISOString() })) });
    }
    if (route === 'GET /_emulator/requests') {
      return send(res, 200, { data: requests.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() })) });
    }
    return send(res, 404, { error: `No emulator control at ${route}` });
  };

  const endpointOf = (method: string | undefined, path: string): XEndpoint | undefined => {
    if (method === 'POST' && path === '/2/tweets') return 'createTweet';
    if (method === 'GET' && path === '/2/users/me') return 'me';
    if (method === 'GET' && /^\/2\/users\/\d+\/tweets$/.test(path)) return 'userTweets';
    return undefined;
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const endpoint = endpointOf(req.method, url.pathname);
    const token = bearerToken(req);
    const method = req.method ?? 'GET';
    const record: RecordedRequest = { method, path: url.pathname, endpoint, token, receivedAt: new Date() };
    requests.push(record);
    let clientGone = false;
    res.on('finish', () => (record.status = res.statusCode));
    res.on('close', () => (clientGone ||= !res.writableFinished));

    if (!endpoint) {
      const problem = notFound(req.method, url.pathname);
      return send(res, problem.status, problem.body);
    }
    const body = endpoint === 'createTweet' ? await readJson(req) : undefined;
    const fault = takeFault(endpoint);

    const answer = (): [number, object, Record<string, string>] => {
      const headers = rateLimitHeaders(endpoint, token);
      try {
        if (endpoint === 'createTweet') {
          const tweet = createTweet(token, body);
          const data = { id: tweet.id, text: renderText(tweet.text), edit_history_tweet_ids: [tweet.id] };
          return [201, { data }, headers];
        }
        if (endpoint === 'me') return [200, { data: authenticate(token) }, headers];
        return [200, userTweets(token, url.pathname.split('/')[3], url.searchParams), headers];
      } catch (error) {
        if (error instanceof HttpProblem) return [error.status, error.body, headers];
        throw error;
      }
    };

    // "Landed, then lost": the tweet exists whatever the client ends up seeing.
    const early = fault?.afterRecord ? answer() : undefined;
    const delayMs = (fault?.delayMs ?? 0) + globalDelayMs;
    if (delayMs > 0) await sleep(delayMs);
    if (clientGone || res.destroyed) return; // the client gave up (timeout): nothing more happens

    if (fault?.dropConnection) {
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      const headers: Record<string, string> = {};
      if (fault.status === 429) {
        headers['x-rate-limit-limit'] = String(RATE_LIMITS[endpoint]);
        headers['x-rate-limit-remaining'] = '0';
        headers['x-rate-limit-reset'] = String(Math.floor(Date.now() / 1000) + (fault.resetInSeconds ?? 60));
      } else {
        Object.assign(headers, rateLimitHeaders(endpoint, token));
      }
      return send(res, fault.status, fault.body ?? faultBody(fault.status), headers);
    }
    const [status, responseBody, headers] = early ?? answer();
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
    failNext,
    setDelay: (ms) => (globalDelayMs = Math.max(0, ms)),
    revokeToken: (token) => revoked.add(token),
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
