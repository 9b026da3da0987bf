import { parseCookie } from 'cookie';
import type { Request, Response } from 'express';
import { SESSION_COOKIE } from './session-token.js';

/** The session token the request's cookie carries, if any. */
export function sessionTokenOf(request: Request): string | null {
  const header = request.header('cookie');
  if (!header) return null;
  return parseCookie(header)[SESSION_COOKIE] || null;
}

/**
 * Sets the session cookie: HttpOnly (no script reads it), SameSite=Lax (no cross-site request but
 * top-level navigation carries it), Secure when served over HTTPS in production, and expiring with the
 * session's absolute expiry.
 */
export function setSessionCookie(response: Response, token: string, expiresAt: Date, secure: boolean): void {
  response.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: expiresAt });
}

export function clearSessionCookie(response: Response, secure: boolean): void {
  response.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}
