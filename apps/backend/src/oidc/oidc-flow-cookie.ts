import { parseCookie } from 'cookie';
import type { Request, Response } from 'express';

/** The cookie holding a sign-in in progress (see OidcFlowCodec), sent only to the sign-in's own routes. */
const OIDC_FLOW_COOKIE = 'herald_oidc_flow';
const PATH = '/v1/auth/oidc';

export function oidcFlowOf(request: Request): string | null {
  const header = request.header('cookie');
  if (!header) return null;
  return parseCookie(header)[OIDC_FLOW_COOKIE] || null;
}

/**
 * HttpOnly (no script reads it) and SameSite=Lax: the provider sends the browser back with a top-level
 * GET, which Lax lets carry it, while no cross-site subrequest can.
 */
export function setOidcFlowCookie(response: Response, sealed: string, expiresAt: Date, secure: boolean): void {
  response.cookie(OIDC_FLOW_COOKIE, sealed, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: PATH,
    expires: expiresAt,
  });
}

export function clearOidcFlowCookie(response: Response, secure: boolean): void {
  response.clearCookie(OIDC_FLOW_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: PATH });
}
