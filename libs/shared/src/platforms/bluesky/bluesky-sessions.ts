import { Agent, type XRPCError } from '@atproto/api';
import { type BlueskyCredentials, type BlueskySession, jwtLifetime } from './bluesky-credentials.js';
import { xrpcStatus } from './bluesky-errors.js';

/** A stored access token with less life left than this is not used: a fresh session is made instead. */
const MIN_ACCESS_LIFE_MS = 5 * 60_000;
/** Renew this long before the access token expires (or after three quarters of a shorter lifetime). */
const RENEWAL_MARGIN_MS = 15 * 60_000;

/**
 * Signs in to the PDS and hands out agents bound to a session. Agents here never refresh sessions
 * on their own (as @atproto/api's CredentialSession does): a refresh rotates the refresh token, and
 * only the scheduler's renewal stores credentials, so a rotation inside `publish` would be lost and
 * leave a spent refresh token behind.
 */
export class BlueskySessions {
  constructor(
    private readonly serviceUrl: URL,
    private readonly timeoutMs: number,
  ) {}

  /** `com.atproto.server.createSession` with the app password (rate-limited by the PDS: 30 per 5 minutes). */
  async create(credentials: BlueskyCredentials): Promise<BlueskySession> {
    const { data } = await this.anonymous().com.atproto.server.createSession({
      identifier: credentials.identifier,
      password: credentials.appPassword,
    });
    return { did: data.did, handle: data.handle, accessJwt: data.accessJwt, refreshJwt: data.refreshJwt };
  }

  /**
   * Renewed credentials: the session refreshed with its refresh token, or, when there is none or the PDS
   * refuses it (expired, spent), a new session from the app password. A refused app password throws.
   */
  async renew(credentials: BlueskyCredentials): Promise<BlueskyCredentials> {
    if (credentials.session) {
      try {
        return { ...credentials, session: await this.refresh(credentials.session) };
      } catch (error) {
        if (!isSessionRefused(error)) throw error;
      }
    }
    return { ...credentials, session: await this.create(credentials) };
  }

  /** When the scheduler should renew: some minutes before the access token expires; now if there is no session. */
  renewAt(credentials: BlueskyCredentials): Date {
    const lifetime = credentials.session && jwtLifetime(credentials.session.accessJwt);
    if (!lifetime) return new Date();
    const span = lifetime.issuedAt === undefined ? Infinity : lifetime.expiresAt - lifetime.issuedAt;
    return new Date(lifetime.expiresAt - Math.min(RENEWAL_MARGIN_MS, span / 4));
  }

  /**
   * Runs `work` with the stored session when its access token is good for a while, else with a new
   * one. A stored session the PDS refuses (expired early, revoked) is replaced by a new one, once:
   * the PDS checks the token before doing anything, so `work` had no effect and may run again.
   */
  async withSession<T>(
    credentials: BlueskyCredentials,
    work: (agent: Agent, session: BlueskySession) => Promise<T>,
  ): Promise<T> {
    const stored = credentials.session;
    if (stored && this.lastsLongEnough(stored)) {
      try {
        return await work(this.agentFor(stored), stored);
      } catch (error) {
        if (!isSessionRefused(error)) throw error;
      }
    }
    const session = await this.create(credentials);
    return work(this.agentFor(session), session);
  }

  private async refresh(session: BlueskySession): Promise<BlueskySession> {
    const { data } = await this.anonymous().com.atproto.server.refreshSession(undefined, {
      headers: { authorization: `Bearer ${session.refreshJwt}` },
    });
    if (data.did !== session.did) throw new Error(`Bluesky refreshed the session of another account (${data.did})`);
    return { did: data.did, handle: data.handle, accessJwt: data.accessJwt, refreshJwt: data.refreshJwt };
  }

  /** An agent for the calls that carry no session (createSession, refreshSession with its own token). */
  private anonymous(): Agent {
    return new Agent({ service: this.serviceUrl, fetch: this.fetchWithTimeout });
  }

  private agentFor(session: BlueskySession): Agent {
    return new Agent({
      did: session.did,
      fetchHandler: (path: string, init: RequestInit) => {
        const headers = new Headers(init.headers);
        headers.set('authorization', `Bearer ${session.accessJwt}`);
        return this.fetchWithTimeout(new URL(path, this.serviceUrl), { ...init, headers });
      },
    });
  }

  private lastsLongEnough(session: BlueskySession): boolean {
    const lifetime = jwtLifetime(session.accessJwt);
    return lifetime !== undefined && lifetime.expiresAt - Date.now() >= MIN_ACCESS_LIFE_MS;
  }

  /** @atproto/api has no timeout option: every request gets PLATFORM_TIMEOUT_MS through its signal. */
  private readonly fetchWithTimeout = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}

/**
 * The PDS refused the session's token itself (expired, revoked, spent), not the request: a new session
 * may succeed. Its answers: 400 ExpiredToken / InvalidToken, or 401.
 */
export function isSessionRefused(error: unknown): boolean {
  const status = xrpcStatus(error);
  return status === 401 || (status === 400 && ['ExpiredToken', 'InvalidToken'].includes((error as XRPCError).error));
}
