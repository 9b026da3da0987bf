import { createHash, randomBytes } from 'node:crypto';

/** The cookie that carries a session's opaque token. */
export const SESSION_COOKIE = 'herald_session';
/** The header a session's request names its workspace in (an API key implies its own). */
export const WORKSPACE_HEADER = 'x-herald-workspace';
/** The header a session's state-changing request carries its CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** A new session token: 32 random bytes, so a plain SHA-256 is enough to store it. */
export const newSessionToken = (): string => randomBytes(32).toString('base64url');

export const hashSessionToken = (token: string): string => createHash('sha256').update(token).digest('hex');
