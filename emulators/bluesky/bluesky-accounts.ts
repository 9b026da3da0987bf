import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { xrpcError } from './bluesky-wire.js';
import type { EmulatorClock } from '../kit/emulator-clock.js';

/**
 * Accounts, app passwords and sessions of the emulated PDS. Sessions work as on a real PDS: an
 * access JWT (scope `com.atproto.appPass`) and a refresh JWT (scope `com.atproto.refresh`) that
 * `refreshSession` rotates, the spent one being refused from then on. Unlike a real PDS, which lets
 * access tokens run until they expire, revoking an app password here ends its sessions at once.
 */

export interface EmulatedAccount {
  did: string;
  handle: string;
  email: string;
  /** The account password (a real PDS accepts it too; Herald asks for app passwords). */
  password: string;
  appPassword: string;
}

export interface SessionTokens {
  accessJwt: string;
  refreshJwt: string;
}

export interface TokenLifetimes {
  /** Seconds an access JWT lasts (a real PDS: 2 hours). */
  accessSeconds: number;
  /** Seconds a refresh JWT lasts (a real PDS: 90 days). */
  refreshSeconds: number;
}

interface JwtPayload {
  scope: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  jti?: string;
}

const ACCESS_SCOPES = new Set(['com.atproto.access', 'com.atproto.appPass']);
const REFRESH_SCOPE = 'com.atproto.refresh';

export class BlueskyAccounts {
  private readonly secret = randomBytes(32);
  private readonly accounts: EmulatedAccount[] = [];
  private readonly revokedPasswords = new Set<string>();
  /** Which password each token was granted with (so revoking it ends the session). */
  private readonly grantedWith = new Map<string, string>();
  /** Refresh token ids that may still be used: rotation removes the spent one. */
  private readonly liveRefreshIds = new Set<string>();
  private serial = 0;

  constructor(
    private readonly audience: string,
    readonly lifetimes: TokenLifetimes,
    private readonly clock: EmulatorClock,
  ) {}

  create(wanted: { handle?: string } = {}): EmulatedAccount {
    this.serial += 1;
    const handle = (wanted.handle ?? `user${this.serial}-${randomBytes(3).toString('hex')}.bsky.social`).toLowerCase();
    if (this.find(handle)) throw new Error(`The handle ${handle} is taken`);
    const account: EmulatedAccount = {
      did: `did:plc:${base32Random(24)}`,
      handle,
      email: `${handle.split('.')[0]}@example.com`,
      password: randomBytes(12).toString('base64url'),
      appPassword: [0, 1, 2, 3].map(() => base32Random(4)).join('-'),
    };
    this.accounts.push(account);
    return account;
  }

  /** By handle, DID or email, case-insensitively, as createSession looks accounts up. */
  find(identifier: string): EmulatedAccount | undefined {
    const wanted = identifier.toLowerCase();
    return this.accounts.find(
      (account) => account.handle === wanted || account.did.toLowerCase() === wanted || account.email === wanted,
    );
  }

  byDid(did: string): EmulatedAccount | undefined {
    return this.accounts.find((account) => account.did === did);
  }

  all(): readonly EmulatedAccount[] {
    return this.accounts;
  }

  /** Revokes an app password (or an account password): its sessions end and it no longer signs in. */
  revoke(password: string): void {
    this.revokedPasswords.add(password);
  }

  /** `com.atproto.server.createSession`. */
  signIn(identifier: string, password: string): { account: EmulatedAccount; tokens: SessionTokens } {
    const account = this.find(identifier);
    const matches = account && [account.password, account.appPassword].some((known) => sameSecret(known, password));
    if (!account || !matches || this.revokedPasswords.has(password)) {
      throw xrpcError(401, 'Invalid identifier or password');
    }
    const scope = password === account.appPassword ? 'com.atproto.appPass' : 'com.atproto.access';
    return { account, tokens: this.issue(account, password, scope) };
  }

  /** `com.atproto.server.refreshSession`: a new pair; the refresh token presented is spent. */
  refresh(bearer: string | undefined): { account: EmulatedAccount; tokens: SessionTokens } {
    const payload = this.verify(bearer, (scope) => scope === REFRESH_SCOPE);
    const password = this.grantedWith.get(bearer!);
    if (!payload.jti || !this.liveRefreshIds.has(payload.jti) || !password || this.revokedPasswords.has(password)) {
      throw xrpcError(400, 'Token has been revoked', 'ExpiredToken');
    }
    this.liveRefreshIds.delete(payload.jti);
    const account = this.byDid(payload.sub)!;
    const scope = password === account.appPassword ? 'com.atproto.appPass' : 'com.atproto.access';
    return { account, tokens: this.issue(account, password, scope) };
  }

  /** The account an access JWT belongs to; throws the PDS's answer for a missing, bad or expired one. */
  authenticate(bearer: string | undefined): EmulatedAccount {
    const payload = this.verify(bearer, (scope) => ACCESS_SCOPES.has(scope));
    const password = this.grantedWith.get(bearer!);
    const account = this.byDid(payload.sub);
    if (!password || this.revokedPasswords.has(password) || !account) {
      throw xrpcError(400, 'Token could not be verified', 'InvalidToken');
    }
    return account;
  }

  private issue(account: EmulatedAccount, password: string, accessScope: string): SessionTokens {
    const now = Math.floor(this.clock.now() / 1000);
    const common = { sub: account.did, aud: this.audience, iat: now };
    const jti = randomBytes(16).toString('base64url');
    const accessJwt = this.sign('at+jwt', { ...common, scope: accessScope, exp: now + this.lifetimes.accessSeconds });
    const refreshJwt = this.sign('refresh+jwt', {
      ...common,
      scope: REFRESH_SCOPE,
      jti,
      exp: now + this.lifetimes.refreshSeconds,
    });
    this.liveRefreshIds.add(jti);
    this.grantedWith.set(accessJwt, password);
    this.grantedWith.set(refreshJwt, password);
    return { accessJwt, refreshJwt };
  }

  private sign(typ: string, payload: JwtPayload): string {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ typ, alg: 'HS256' })}.${encode(payload)}`;
    return `${unsigned}.${createHmac('sha256', this.secret).update(unsigned).digest('base64url')}`;
  }

  /** Checks a JWT in the order the PDS does: present, signature, expiry, then scope. */
  private verify(bearer: string | undefined, scopeAllowed: (scope: string) => boolean): JwtPayload {
    if (!bearer) throw xrpcError(401, undefined, 'AuthMissing');
    const [header, body, signature] = bearer.split('.');
    const expected = createHmac('sha256', this.secret).update(`${header}.${body}`).digest('base64url');
    if (!header || !body || !signature || !sameSecret(signature, expected)) {
      throw xrpcError(400, 'Token could not be verified', 'InvalidToken');
    }
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as JwtPayload;
    if (payload.exp * 1000 <= this.clock.now()) throw xrpcError(400, 'Token has expired', 'ExpiredToken');
    if (!scopeAllowed(payload.scope)) throw xrpcError(400, 'Bad token scope', 'InvalidToken');
    return payload;
  }
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function base32Random(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(length)].map((byte) => alphabet[byte & 31]).join('');
}
