import {
  type EmulatorFault,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
  type EmulatorServer,
  type RecordedRequest,
  startEmulatorServer,
} from '../kit/emulator-server.js';
import { BlueskyAccounts, type EmulatedAccount } from './bluesky-accounts.js';
import { BlueskyRecords, POST_COLLECTION, type StoredPost } from './bluesky-records.js';
import { invalidRequest, isHandle, rateLimitHeaders, xrpcError, xrpcErrorBody } from './bluesky-wire.js';
import { type EmulatorClock, systemClock } from '../kit/emulator-clock.js';

/**
 * A stand-in for a Bluesky PDS (bsky.social) speaking XRPC over HTTP: sessions (createSession,
 * refreshSession, getSession), handle resolution, blob uploads and `app.bsky.feed.post` records,
 * with the PDS's error bodies and `ratelimit-*` headers. Independent of Herald's code.
 */

export type { EmulatedAccount } from './bluesky-accounts.js';
export type { StoredPost } from './bluesky-records.js';

export type BlueskyRoute =
  | 'createSession'
  | 'refreshSession'
  | 'getSession'
  | 'resolveHandle'
  | 'uploadBlob'
  | 'createRecord'
  | 'listRecords'
  | 'getRecord';

export interface BlueskyEmulatorOptions {
  port?: number;
  host?: string;
  /** Seconds an access JWT lasts (default 2 hours, as on bsky.social). */
  accessTokenSeconds?: number;
  /** Seconds a refresh JWT lasts (default 90 days). */
  refreshTokenSeconds?: number;
  /** Token expiry and rate-limit windows follow this clock (default: the system's). */
  clock?: EmulatorClock;
  onPost?: (post: StoredPost) => void;
}

export interface BlueskyEmulator {
  /** Base URL without trailing slash: BLUESKY_SERVICE_URL. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Every post created, oldest first. */
  readonly posts: readonly StoredPost[];
  /** A new account with an app password. */
  createAccount(options?: { handle?: string }): EmulatedAccount;
  /** Revokes an app password: its sessions end at once and it no longer signs in. */
  revoke(appPassword: string): void;
  failNext(fault: EmulatorFault & { route?: BlueskyRoute }): void;
  setDelay(ms: number): void;
  /** Forgets posts, blobs, requests, faults and rate-limit counts; accounts and revocations stay. */
  reset(): void;
  close(): Promise<void>;
}

/** The PDS's limits: 3000 requests per 5 minutes overall, 30 sign-ins per 5 minutes per identifier. */
const GLOBAL_LIMIT = { points: 3000, windowSeconds: 300 };
const SIGN_IN_LIMIT = { points: 30, windowSeconds: 300 };
const RECORD_KEY = /^(?!\.{1,2}$)[a-zA-Z0-9._:~-]{1,512}$/;

export async function startBlueskyEmulator(options: BlueskyEmulatorOptions = {}): Promise<BlueskyEmulator> {
  const clock = options.clock ?? systemClock;
  const accounts = new BlueskyAccounts(
    'did:web:bluesky-emulator.invalid',
    {
      accessSeconds: options.accessTokenSeconds ?? 2 * 60 * 60,
      refreshSeconds: options.refreshTokenSeconds ?? 90 * 24 * 60 * 60,
    },
    clock,
  );
  const records = new BlueskyRecords();
  const limits = new RateLimits(clock);

  const route = (
    name: BlueskyRoute,
    method: 'GET' | 'POST',
    handle: (request: EmulatorRequest) => { body: unknown; headers?: Record<string, string> },
  ): EmulatorRoute => ({
    name,
    method,
    path: new RegExp(`^/xrpc/${routeNsid[name].replace(/\./g, '\\.')}$`),
    handle: (request): EmulatorResponse => {
      const global = limits.take('global', GLOBAL_LIMIT);
      const { body, headers } = handle(request);
      return { status: 200, body, headers: { ...global, ...headers } };
    },
  });

  const repoAccount = (repo: string | undefined | null): EmulatedAccount => {
    if (!repo) throw invalidRequest('Error: Params must have the property "repo"');
    const account = accounts.find(repo);
    if (!account) throw invalidRequest(`Could not find repo: ${repo}`);
    return account;
  };

  const routes: EmulatorRoute[] = [
    route('createSession', 'POST', ({ body }) => {
      const { identifier, password } = body ?? {};
      if (typeof identifier !== 'string') throw invalidRequest('Input must have the property "identifier"');
      if (typeof password !== 'string') throw invalidRequest('Input must have the property "password"');
      const headers = limits.take(`signIn ${identifier.toLowerCase()}`, SIGN_IN_LIMIT);
      const { account, tokens } = accounts.signIn(identifier, password);
      return { body: { ...sessionOf(account), ...tokens }, headers };
    }),
    route('refreshSession', 'POST', ({ bearer }) => {
      const { account, tokens } = accounts.refresh(bearer);
      return { body: { ...sessionOf(account), ...tokens } };
    }),
    route('getSession', 'GET', ({ bearer }) => ({ body: sessionOf(accounts.authenticate(bearer)) })),
    route('resolveHandle', 'GET', ({ url }) => {
      const handle = url.searchParams.get('handle');
      if (!handle) throw invalidRequest('Error: Params must have the property "handle"');
      if (!isHandle(handle)) throw invalidRequest('Error: handle must be a valid handle');
      const account = accounts.find(handle);
      if (!account || account.handle !== handle.toLowerCase()) throw invalidRequest('Unable to resolve handle');
      return { body: { did: account.did } };
    }),
    route('uploadBlob', 'POST', ({ bearer, headers, raw }) => {
      const account = accounts.authenticate(bearer);
      const mimeType = headers['content-type']?.split(';')[0].trim();
      if (!mimeType) throw invalidRequest('Request encoding (Content-Type) required but not provided');
      if (!raw || raw.length === 0) throw invalidRequest('Request body is empty');
      const blob = records.upload(account.did, mimeType, raw);
      return { body: { blob: { $type: 'blob', ref: { $link: blob.cid }, mimeType, size: raw.length } } };
    }),
    route('createRecord', 'POST', ({ bearer, body }) => {
      const account = accounts.authenticate(bearer);
      if (!body) throw invalidRequest('Request encoding (Content-Type) required but not provided');
      if (typeof body.repo !== 'string') throw invalidRequest('Input must have the property "repo"');
      if (accounts.find(body.repo)?.did !== account.did) throw xrpcError(401);
      if (body.collection !== POST_COLLECTION) {
        throw invalidRequest(`The emulator only supports ${POST_COLLECTION} records`);
      }
      if (body.rkey !== undefined && (typeof body.rkey !== 'string' || !RECORD_KEY.test(body.rkey))) {
        throw invalidRequest('Input/rkey must be a valid Record Key');
      }
      const post = records.createPost(account.did, body.record, body.rkey);
      options.onPost?.(post);
      const commit = { cid: post.cid, rev: post.rkey };
      return { body: { uri: post.uri, cid: post.cid, commit, validationStatus: 'valid' } };
    }),
    route('listRecords', 'GET', ({ url }) => {
      const params = url.searchParams;
      const account = repoAccount(params.get('repo'));
      const limit = Number(params.get('limit') ?? '50');
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw invalidRequest('Error: limit must be an integer between 1 and 100');
      }
      const collection = params.get('collection');
      const { page, cursor } =
        collection === POST_COLLECTION
          ? records.list(account.did, {
              limit,
              cursor: params.get('cursor') ?? undefined,
              reverse: params.get('reverse') === 'true',
            })
          : { page: [], cursor: undefined };
      const body = { records: page.map(({ uri, cid, value }) => ({ uri, cid, value })), ...(cursor ? { cursor } : {}) };
      return { body };
    }),
    route('getRecord', 'GET', ({ url }) => {
      const params = url.searchParams;
      const account = repoAccount(params.get('repo'));
      const rkey = params.get('rkey') ?? '';
      const post = params.get('collection') === POST_COLLECTION ? records.find(account.did, rkey) : undefined;
      if (!post) {
        const uri = `at://${account.did}/${params.get('collection')}/${rkey}`;
        throw invalidRequest(`Could not locate record: ${uri}`, 'RecordNotFound');
      }
      return { body: { uri: post.uri, cid: post.cid, value: post.value } };
    }),
  ];

  const server: EmulatorServer = await startEmulatorServer({
    name: 'bluesky-emulator',
    routes,
    port: options.port,
    host: options.host,
    errorBody: (status, message) => xrpcErrorBody(status, status >= 500 || status === 429 ? undefined : message),
    rateLimitHeaders: (resetInSeconds) =>
      rateLimitHeaders(
        GLOBAL_LIMIT.points,
        0,
        new Date(clock.now() + resetInSeconds * 1000),
        GLOBAL_LIMIT.windowSeconds,
      ),
    controls: {
      'POST /_emulator/accounts': (body) => {
        const account = accounts.create({ handle: typeof body?.handle === 'string' ? body.handle : undefined });
        return { did: account.did, handle: account.handle, email: account.email, appPassword: account.appPassword };
      },
      'POST /_emulator/revoke': (body) => {
        if (typeof body?.appPassword !== 'string') throw invalidRequest('appPassword is required');
        accounts.revoke(body.appPassword);
        return { revoked: true };
      },
      'GET /_emulator/posts': () => ({
        data: records.posts.map((post) => ({
          uri: post.uri,
          cid: post.cid,
          record: post.value,
          images: post.images.map(({ alt, blob }) => ({ alt, mimeType: blob.mimeType, size: blob.data.length })),
          receivedAt: post.receivedAt.toISOString(),
        })),
      }),
    },
    onReset: () => {
      records.clear();
      limits.clear();
    },
  });

  return {
    url: server.url,
    requests: server.requests,
    posts: records.posts,
    createAccount: (wanted) => accounts.create(wanted),
    revoke: (appPassword) => accounts.revoke(appPassword),
    failNext: (fault) => server.failNext(fault),
    setDelay: (ms) => server.setDelay(ms),
    reset: () => server.reset(),
    close: () => server.close(),
  };
}

const routeNsid: Record<BlueskyRoute, string> = {
  createSession: 'com.atproto.server.createSession',
  refreshSession: 'com.atproto.server.refreshSession',
  getSession: 'com.atproto.server.getSession',
  resolveHandle: 'com.atproto.identity.resolveHandle',
  uploadBlob: 'com.atproto.repo.uploadBlob',
  createRecord: 'com.atproto.repo.createRecord',
  listRecords: 'com.atproto.repo.listRecords',
  getRecord: 'com.atproto.repo.getRecord',
};

const sessionOf = (account: EmulatedAccount) => ({
  did: account.did,
  handle: account.handle,
  email: account.email,
  emailConfirmed: true,
  active: true,
});

/** Fixed windows per key; a key over its points gets a 429 carrying the same headers. */
class RateLimits {
  private windows = new Map<string, { startedAt: number; used: number }>();

  constructor(private readonly clock: EmulatorClock) {}

  take(key: string, limit: { points: number; windowSeconds: number }): Record<string, string> {
    const now = this.clock.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= limit.windowSeconds * 1000) {
      window = { startedAt: now, used: 0 };
      this.windows.set(key, window);
    }
    window.used += 1;
    const resetAt = new Date(window.startedAt + limit.windowSeconds * 1000);
    const headers = rateLimitHeaders(limit.points, limit.points - window.used, resetAt, limit.windowSeconds);
    if (window.used > limit.points) throw xrpcError(429, undefined, undefined, headers);
    return headers;
  }

  clear(): void {
    this.windows = new Map();
  }
}
