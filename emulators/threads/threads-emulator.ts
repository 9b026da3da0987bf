import { type EmulatorFault, type RecordedRequest, startEmulatorServer } from '../kit/emulator-server.js';
import { threadsApiRoutes } from './threads-api-routes.js';
import { threadsOAuthRoutes } from './threads-oauth-routes.js';
import {
  type Container,
  type IssuedToken,
  type PublishedThread,
  type ThreadsApp,
  ThreadsState,
  type ThreadsUser,
} from './threads-state.js';
import { appUsageHeaders, faultBody } from './threads-wire.js';

export type { Container, IssuedToken, PublishedThread, ThreadsUser } from './threads-state.js';

/**
 * A stand-in for Meta's Threads API (graph.threads.net, v1.0) and its authorize window, speaking the
 * same wire format: two-step publishing through media containers that are processed asynchronously,
 * images pulled from `image_url`, Graph-style errors, long-lived tokens and their refresh.
 * Independent of Herald's code, so it cannot share Herald's bugs.
 */
export interface ThreadsEmulatorOptions {
  port?: number;
  host?: string;
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** The Threads app Herald is registered as (THREADS_APP_ID / THREADS_APP_SECRET). */
  app?: ThreadsApp;
  /** How long image and carousel containers stay IN_PROGRESS (default 150 ms); text is ready at once. */
  processingMs?: number;
  onPost?: (post: PublishedThread) => void;
}

export interface ThreadsEmulator {
  /** Base URL without trailing slash; serves both graph.threads.net and threads.net/oauth/authorize. */
  readonly url: string;
  readonly app: ThreadsApp;
  readonly requests: RecordedRequest[];
  /** Published posts and replies, oldest first. */
  readonly posts: readonly PublishedThread[];
  readonly containers: ReadonlyMap<string, Container>;
  /** A new profile with a long-lived token, issued two days ago (so it can already be refreshed). */
  createAccount(username?: string): { user: ThreadsUser; token: IssuedToken };
  token(value: string): IssuedToken | undefined;
  /** The user removes the app: this token and every other one of the grant are refused with code 190. */
  revokeToken(value: string): void;
  /** Who approves on the authorize page (created if new). */
  signInAs(username: string): ThreadsUser;
  /** The next container created fails processing: status ERROR with this `error_message`. */
  failNextContainer(errorMessage: string): void;
  /** How long image and carousel containers stay IN_PROGRESS from now on. */
  setProcessingMs(ms: number): void;
  /** The next container answers IN_PROGRESS to its first `statusReads` status reads, however slow the machine. */
  holdNextContainer(statusReads: number): void;
  failNext(fault: EmulatorFault): void;
  setDelay(ms: number): void;
  /** Forgets requests, faults, posts, containers, codes and revocations; profiles and tokens stay. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_APP: ThreadsApp = { id: '990602627938098', secret: 'threads-emulator-app-secret' };
const TWO_DAYS_MS = 2 * 24 * 60 * 60 * 1000;

export async function startThreadsEmulator(options: ThreadsEmulatorOptions = {}): Promise<ThreadsEmulator> {
  const state = new ThreadsState(options.app ?? DEFAULT_APP, options.processingMs ?? 150);

  const createAccount = (username?: string) => {
    const user = state.createUser(username);
    const token = state.issueToken(user.id, 'long-lived', { issuedAt: new Date(Date.now() - TWO_DAYS_MS) });
    return { user, token };
  };
  const signInAs = (username: string) => {
    const user = state.userNamed(username);
    state.signedInUserId = user.id;
    return user;
  };

  const server = await startEmulatorServer({
    name: 'threads-emulator',
    routes: [...threadsApiRoutes(state, options.onPost), ...threadsOAuthRoutes(state)],
    errorBody: faultBody,
    rateLimitHeaders: appUsageHeaders,
    onReset: () => state.reset(),
    port: options.port,
    host: options.host,
    tls: options.tls,
    controls: {
      'POST /_emulator/accounts': (body) => {
        const { user, token } = createAccount(typeof body?.username === 'string' ? body.username : undefined);
        return { userId: user.id, username: user.username, accessToken: token.value, expiresAt: token.expiresAt };
      },
      'POST /_emulator/revoke': (body) => {
        if (typeof body?.token === 'string') state.revokeGrant(body.token);
        return { revoked: typeof body?.token === 'string' };
      },
      'POST /_emulator/sign-in': (body) =>
        signInAs(typeof body?.username === 'string' ? body.username : 'threads_tester'),
      'POST /_emulator/container-failure': (body) => {
        state.failNextContainer(typeof body?.errorMessage === 'string' ? body.errorMessage : 'UNKNOWN');
        return { ok: true };
      },
      'GET /_emulator/posts': () => ({
        data: state.posts.map(({ images, ...post }) => ({
          ...post,
          images: images.map(({ bytes, ...image }) => ({ ...image, sizeBytes: bytes.length })),
        })),
      }),
    },
  });

  return {
    url: server.url,
    app: state.app,
    requests: server.requests,
    posts: state.posts,
    containers: state.containers,
    createAccount,
    token: (value) => state.tokens.get(value),
    revokeToken: (value) => state.revokeGrant(value),
    signInAs,
    failNextContainer: (errorMessage) => state.failNextContainer(errorMessage),
    setProcessingMs: (ms) => (state.processingMs = Math.max(0, ms)),
    holdNextContainer: (statusReads) => state.holdNextContainer(statusReads),
    failNext: (fault) => server.failNext(fault),
    setDelay: (ms) => server.setDelay(ms),
    reset: () => server.reset(),
    close: () => server.close(),
  };
}
