import { randomBytes } from 'node:crypto';
import {
  type EmulatorFault,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
  type RecordedRequest,
  startEmulatorServer,
} from '../kit/emulator-server.js';
import {
  accountEntity,
  credentialAccountEntity,
  type EmulatedAccount,
  errorBody,
  IMAGE_LIMIT_BYTES,
  isProcessed,
  MAX_CHARACTERS,
  MAX_DESCRIPTION_LENGTH,
  MAX_MEDIA_PER_STATUS,
  mastodonError,
  mediaEntity,
  RATE_LIMIT,
  RATE_LIMIT_PERIOD_SECONDS,
  rateLimitHeaders,
  renderContent,
  sniffImageType,
  snowflakeIds,
  statusEntity,
  statusLength,
  stripText,
  type StoredMedia,
  type StoredStatus,
  validationFailed,
} from './mastodon-wire.js';

/**
 * A Mastodon instance for tests, speaking the REST API Herald uses: verify_credentials, media uploads
 * (v2, processed in the background for GIFs), statuses with Idempotency-Key, an account's statuses.
 * Tokens are issued by `createAccount` and can be revoked; statuses keep their text, media and reply-to.
 * Independent of Herald's code.
 */

export interface MastodonEmulatorOptions {
  port?: number;
  host?: string;
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** How long an uploaded GIF stays "processing" (converted to gifv) before it can be attached; default 300 ms. */
  mediaProcessingMs?: number;
  /** Called for every status created (e.g. to log it). */
  onStatus?: (status: StoredStatus) => void;
}

export interface IssuedToken {
  token: string;
  account: EmulatedAccount;
}

export interface MastodonEmulator {
  /** The instance's origin, e.g. `http://127.0.0.1:4567`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Every status created, oldest first. */
  readonly statuses: readonly StoredStatus[];
  /** A new account and a token for it; `scopes` default to `read write`. */
  createAccount(options?: { username?: string; scopes?: string[] }): IssuedToken;
  /** The account a token belongs to (revoked or not). */
  accountOf(token: string): EmulatedAccount | undefined;
  revokeToken(token: string): void;
  setMediaProcessingMs(ms: number): void;
  /** Faults apply to a route by name: verifyCredentials, uploadMedia, getMedia, createStatus, accountStatuses. */
  failNext(fault: EmulatorFault): void;
  setDelay(ms: number): void;
  /** Forgets statuses, media, idempotency keys, revocations, requests and faults; accounts and tokens stay. */
  reset(): void;
  close(): Promise<void>;
}

/** Mastodon keeps an Idempotency-Key for an hour. */
const IDEMPOTENCY_TTL_MS = 3600 * 1000;
const VISIBILITIES = ['public', 'unlisted', 'private', 'direct'];

interface Grant {
  account: EmulatedAccount;
  scopes: string[];
  revoked: boolean;
}

export async function startMastodonEmulator(options: MastodonEmulatorOptions = {}): Promise<MastodonEmulator> {
  const nextId = snowflakeIds();
  const grants = new Map<string, Grant>();
  const accounts: EmulatedAccount[] = [];
  let statuses: StoredStatus[] = [];
  let media = new Map<string, StoredMedia>();
  let idempotency = new Map<string, { statusId: string; expiresAt: number }>();
  let usage = new Map<string, { windowEndsAt: number; used: number }>();
  let mediaProcessingMs = options.mediaProcessingMs ?? 300;
  let origin = '';

  /** Doorkeeper: a missing, unknown or revoked token is 401; a token without the scope is 403. */
  const authenticate = (request: EmulatorRequest, anyOf: string[]): Grant => {
    const grant = request.bearer === undefined ? undefined : grants.get(request.bearer);
    if (!grant) throw mastodonError(401, 'The access token is invalid');
    if (grant.revoked) throw mastodonError(401, 'The access token was revoked');
    if (!anyOf.some((scope) => grant.scopes.includes(scope))) {
      throw mastodonError(403, 'This action is outside the authorized scopes');
    }
    return grant;
  };

  /** Plausible X-RateLimit-* numbers; the emulator never limits on its own (use a 429 fault). */
  const answer = (request: EmulatorRequest, status: number, body: unknown): EmulatorResponse => {
    const key = request.bearer ?? 'anonymous';
    const now = Date.now();
    let window = usage.get(key);
    if (!window || window.windowEndsAt <= now) {
      window = { windowEndsAt: now + RATE_LIMIT_PERIOD_SECONDS * 1000, used: 0 };
      usage.set(key, window);
    }
    window.used += 1;
    const remaining = Math.max(1, RATE_LIMIT - window.used);
    return { status, body, headers: rateLimitHeaders(remaining, new Date(window.windowEndsAt)) };
  };

  const accountJson = (account: EmulatedAccount) =>
    accountEntity(account, origin, statuses.filter((status) => status.accountId === account.id).length);

  const statusJson = (status: StoredStatus) => {
    const account = accounts.find((candidate) => candidate.id === status.accountId)!;
    const replies = statuses.filter((reply) => reply.inReplyToId === status.id).length;
    return statusEntity(status, accountJson(account), origin, replies);
  };

  /** Local mentions link to known accounts; a remote `@user@domain` is taken as resolved. */
  const profileUrl = (username: string, domain?: string): string | undefined => {
    if (domain !== undefined && domain.toLowerCase() !== new URL(origin).host) return `https://${domain}/@${username}`;
    const local = accounts.find((account) => account.username.toLowerCase() === username.toLowerCase());
    return local ? `${origin}/@${local.username}` : undefined;
  };

  const uploadMedia = (request: EmulatorRequest): EmulatorResponse => {
    const { account } = authenticate(request, ['write', 'write:media']);
    const file = request.files.find((candidate) => candidate.field === 'file');
    if (!file) throw validationFailed("File can't be blank");
    const mimeType = sniffImageType(file.data);
    if (!mimeType) throw validationFailed('File content type is invalid', 'File is invalid');
    if (file.data.length >= IMAGE_LIMIT_BYTES) throw validationFailed('File file size must be less than 16 MB');
    const description = typeof request.body?.description === 'string' ? request.body.description : null;
    if (description !== null && [...description].length > MAX_DESCRIPTION_LENGTH) {
      throw validationFailed(`Description is too long (maximum is ${MAX_DESCRIPTION_LENGTH} characters)`);
    }
    // Still images are processed during the request; GIFs become gifv videos in the background.
    const background = mimeType === 'image/gif';
    const stored: StoredMedia = {
      id: nextId(),
      accountId: account.id,
      mimeType,
      data: file.data,
      description,
      readyAt: new Date(Date.now() + (background ? mediaProcessingMs : 0)),
    };
    media.set(stored.id, stored);
    return answer(request, background ? 202 : 200, mediaEntity(stored, origin));
  };

  const getMedia = (request: EmulatorRequest): EmulatorResponse => {
    const { account } = authenticate(request, ['write', 'write:media']);
    const stored = media.get(request.params.id);
    if (!stored || stored.accountId !== account.id || stored.statusId !== undefined) {
      throw mastodonError(404, 'Record not found');
    }
    return answer(request, isProcessed(stored) ? 200 : 206, mediaEntity(stored, origin));
  };

  const createStatus = (request: EmulatorRequest): EmulatorResponse => {
    const { account } = authenticate(request, ['write', 'write:statuses']);
    const body = request.body ?? {};
    const inReplyTo = replyTarget(body.in_reply_to_id);

    const key = request.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' && key !== '' ? `${account.id}:${key}` : undefined;
    const remembered = idempotencyKey === undefined ? undefined : idempotency.get(idempotencyKey);
    if (remembered && remembered.expiresAt > Date.now()) {
      return answer(request, 200, statusJson(statuses.find((status) => status.id === remembered.statusId)!));
    }

    const attached = mediaToAttach(account, body.media_ids ?? body['media_ids[]']);
    const visibility = typeof body.visibility === 'string' ? body.visibility : 'public';
    if (!VISIBILITIES.includes(visibility)) throw validationFailed('Visibility is not included in the list');
    const text = typeof body.status === 'string' ? body.status : '';
    if (stripText(text) === '' && attached.length === 0) throw validationFailed("Text can't be blank");
    if (statusLength(text) > MAX_CHARACTERS) {
      throw validationFailed(`Text character limit of ${MAX_CHARACTERS} exceeded`);
    }

    const status: StoredStatus = {
      id: nextId(),
      accountId: account.id,
      text: stripText(text),
      content: renderContent(text, profileUrl),
      visibility,
      inReplyToId: inReplyTo?.id ?? null,
      inReplyToAccountId: inReplyTo?.accountId ?? null,
      media: attached,
      createdAt: new Date(),
    };
    attached.forEach((item) => (item.statusId = status.id));
    statuses.push(status);
    if (idempotencyKey !== undefined) {
      idempotency.set(idempotencyKey, { statusId: status.id, expiresAt: Date.now() + IDEMPOTENCY_TTL_MS });
    }
    options.onStatus?.(status);
    return answer(request, 200, statusJson(status));
  };

  /** StatusesController#set_thread. */
  const replyTarget = (id: unknown): StoredStatus | undefined => {
    if ((typeof id !== 'string' && typeof id !== 'number') || id === '') return undefined;
    const target = statuses.find((status) => status.id === String(id) && status.visibility !== 'direct');
    if (!target) throw mastodonError(404, 'The post you are trying to reply to does not appear to exist.');
    return target;
  };

  /** PostStatusService#validate_media!. */
  const mediaToAttach = (account: EmulatedAccount, ids: unknown): StoredMedia[] => {
    if (ids === undefined || ids === null || ids === '') return [];
    const wanted = (Array.isArray(ids) ? ids : [ids]).map(String);
    if (wanted.length > MAX_MEDIA_PER_STATUS) throw mastodonError(422, 'Cannot attach more than 4 files');
    const found = wanted
      .map((id) => media.get(id))
      .filter((item): item is StoredMedia => item?.accountId === account.id && item.statusId === undefined);
    const missing = wanted.filter((id) => !found.some((item) => item.id === id));
    if (missing.length > 0) {
      throw mastodonError(422, `Media ${missing.join(', ')} not found or already attached to another post`);
    }
    if (found.some((item) => !isProcessed(item))) {
      throw mastodonError(422, 'Cannot attach files that have not finished processing. Try again in a moment!');
    }
    return found;
  };

  const accountStatuses = (request: EmulatorRequest): EmulatorResponse => {
    // Public: a token is optional, but one that is sent must be valid.
    if (request.bearer !== undefined) authenticate(request, ['read', 'read:statuses']);
    const account = accounts.find((candidate) => candidate.id === request.params.id);
    if (!account) throw mastodonError(404, 'Record not found');
    const query = request.url.searchParams;
    const flag = (name: string) => ['true', '1'].includes(query.get(name) ?? '');
    const limit = Math.min(Math.max(Number(query.get('limit') ?? 20) || 20, 1), 40);
    const bound = (name: string) => (query.get(name) ? BigInt(query.get(name)!) : undefined);
    const [maxId, sinceId, minId] = [bound('max_id'), bound('since_id'), bound('min_id')];

    let listed = statuses
      .filter((status) => status.accountId === account.id && ['public', 'unlisted'].includes(status.visibility))
      .filter((status) => !flag('exclude_replies') || !status.inReplyToId || status.inReplyToAccountId === account.id)
      .filter((status) => !flag('only_media') || status.media.length > 0)
      .filter((status) => maxId === undefined || BigInt(status.id) < maxId)
      .filter((status) => sinceId === undefined || BigInt(status.id) > sinceId)
      .filter((status) => minId === undefined || BigInt(status.id) > minId)
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    // min_id pages forward: the statuses right after it, still answered newest first.
    listed = minId === undefined ? listed.slice(0, limit) : listed.slice(-limit);

    const response = answer(request, 200, listed.map(statusJson));
    if (listed.length > 0) {
      const page = `${origin}/api/v1/accounts/${account.id}/statuses?limit=${limit}`;
      response.headers!.Link =
        `<${page}&max_id=${listed[listed.length - 1].id}>; rel="next", ` +
        `<${page}&min_id=${listed[0].id}>; rel="prev"`;
    }
    return response;
  };

  const routes: EmulatorRoute[] = [
    {
      name: 'verifyCredentials',
      method: 'GET',
      path: /^\/api\/v1\/accounts\/verify_credentials$/,
      handle: (request) => {
        const { account } = authenticate(request, ['read', 'read:accounts', 'profile']);
        const count = statuses.filter((status) => status.accountId === account.id).length;
        return answer(request, 200, credentialAccountEntity(account, origin, count));
      },
    },
    { name: 'uploadMedia', method: 'POST', path: /^\/api\/v2\/media$/, handle: uploadMedia },
    { name: 'getMedia', method: 'GET', path: /^\/api\/v1\/media\/(?<id>[^/]+)$/, handle: getMedia },
    { name: 'createStatus', method: 'POST', path: /^\/api\/v1\/statuses$/, handle: createStatus },
    {
      name: 'accountStatuses',
      method: 'GET',
      path: /^\/api\/v1\/accounts\/(?<id>[^/]+)\/statuses$/,
      handle: accountStatuses,
    },
  ];

  const createAccount = (request: { username?: string; scopes?: string[] } = {}): IssuedToken => {
    const account: EmulatedAccount = {
      id: nextId(),
      username: request.username ?? `user${accounts.length + 1}`,
      createdAt: new Date(),
    };
    accounts.push(account);
    const token = randomBytes(32).toString('base64url');
    grants.set(token, { account, scopes: request.scopes ?? ['read', 'write'], revoked: false });
    return { token, account };
  };

  const revokeToken = (token: string) => {
    const grant = grants.get(token);
    if (grant) grant.revoked = true;
  };

  const server = await startEmulatorServer({
    name: 'mastodon-emulator',
    routes,
    errorBody,
    rateLimitHeaders: (resetInSeconds) => rateLimitHeaders(0, new Date(Date.now() + resetInSeconds * 1000)),
    controls: {
      'POST /_emulator/accounts': (body) =>
        createAccount({
          username: typeof body?.username === 'string' ? body.username : undefined,
          scopes: Array.isArray(body?.scopes) ? body.scopes.map(String) : undefined,
        }),
      'POST /_emulator/revoke': (body) => {
        if (typeof body?.token === 'string') revokeToken(body.token);
        return { revoked: true };
      },
      'POST /_emulator/media-processing': (body) => {
        mediaProcessingMs = Math.max(0, Number(body?.ms ?? 0) || 0);
        return { mediaProcessingMs };
      },
      'GET /_emulator/statuses': () => ({
        data: statuses.map((status) => ({
          ...statusJson(status),
          text: status.text,
          media: status.media.map((item) => ({ id: item.id, description: item.description, bytes: item.data.length })),
        })),
      }),
    },
    onReset: () => {
      statuses = [];
      media = new Map();
      idempotency = new Map();
      usage = new Map();
      grants.forEach((grant) => (grant.revoked = false));
    },
    port: options.port,
    host: options.host,
    tls: options.tls,
  });
  origin = server.url;

  return {
    url: server.url,
    requests: server.requests,
    get statuses() {
      return statuses;
    },
    createAccount,
    accountOf: (token) => grants.get(token)?.account,
    revokeToken,
    setMediaProcessingMs: (ms) => (mediaProcessingMs = Math.max(0, ms)),
    failNext: (fault) => server.failNext(fault),
    setDelay: (ms) => server.setDelay(ms),
    reset: () => server.reset(),
    close: () => server.close(),
  };
}
