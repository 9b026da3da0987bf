import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { normalizeEmail } from '@app/shared';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../auth/principal.js';
import { HttpRateLimits } from '../rate-limit/http-rate-limits.js';

/**
 * Counts a password guess (sign-in, password change, reset request) against the client's address and
 * the account it targets: the signed-in person's, else the body's `email`. Runs after the AccessGuard
 * and before the body is validated, so a malformed body still costs the address one attempt.
 */
@Injectable()
export class LoginThrottle implements CanActivate {
  constructor(private readonly rateLimits: HttpRateLimits) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    await this.rateLimits.chargeLogin(request, context.switchToHttp().getResponse<Response>(), accountOf(request));
    return true;
  }
}

function accountOf(request: AuthenticatedRequest): string | null {
  if (request.principal?.kind === 'user') return request.principal.email;
  const email: unknown = (request.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? normalizeEmail(email) : null;
}
