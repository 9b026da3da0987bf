import { Injectable } from '@nestjs/common';
import { DomainError, hashApiKey, looksLikeApiKey } from '@app/shared';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createHash } from 'node:crypto';
import { bearerTokenOf } from '../auth/bearer-token.js';
import {
  type BudgetState,
  closestToRunningOut,
  longestRefusal,
  rateLimitHeaders,
  secondsUntilReset,
} from './budget-state.js';
import { rateLimitSubject } from './client-address.js';
import { RateLimiter } from './rate-limiter.service.js';

/** The budgets each request has met so far, for the headers of its response. */
const budgetsMet = new WeakMap<Request, BudgetState[]>();

/**
 * Applies the rate limits to HTTP requests: counts each on arrival, the admin endpoints and failed
 * authentications when the guards meet them, and writes the RateLimit-* headers of the budget closest
 * to running out on every response (Retry-After too on a 429). Budgets Redis could not count are
 * left out: the request goes through.
 */
@Injectable()
export class HttpRateLimits {
  constructor(private readonly limiter: RateLimiter) {}

  /**
   * Every request, before its body is read: one that brings an API key counts against that key (by
   * its hash), any other against its client address; an address out of failed-authentication budget
   * is refused whatever it brings.
   */
  async admit(request: Request, response: Response): Promise<void> {
    const address = rateLimitSubject(request.ip);
    const token = bearerTokenOf(request);
    const states = await Promise.all([
      token && looksLikeApiKey(token)
        ? this.limiter.consume('apiKey', hashApiKey(token))
        : this.limiter.consume('address', address),
      this.limiter.peek('failedAuth', address),
    ]);
    this.report(request, response, states);
  }

  /** A request to an admin endpoint, counted against its address before the token is checked. */
  async chargeAdmin(request: Request, response: Response): Promise<void> {
    this.report(request, response, [await this.limiter.consume('admin', rateLimitSubject(request.ip))]);
  }

  /**
   * Counts a password guess (sign-in, password change) or reset request, before any password is checked,
   * against the client's address and, when it names one, the account's email (by its SHA-256, so no
   * email address is kept in Redis).
   */
  async chargeLogin(request: Request, response: Response, email: string | null): Promise<void> {
    const states = await Promise.all([
      this.limiter.consume('loginAddress', rateLimitSubject(request.ip)),
      email === null
        ? undefined
        : this.limiter.consume('loginAccount', createHash('sha256').update(email).digest('hex')),
    ]);
    this.report(request, response, states);
  }

  /** Counts a failed authentication against the address and returns the 401 to throw. */
  async refuseAuthentication(request: Request, response: Response, message: string): Promise<DomainError> {
    const state = await this.limiter.consume('failedAuth', rateLimitSubject(request.ip));
    // This request is answered 401 even when it spent the last of the budget; the next one meets the 429.
    this.report(request, response, [state && { ...state, exceeded: false }]);
    return new DomainError('UNAUTHORIZED', message);
  }

  /** Records the budgets met, writes the headers, and throws the 429 if one of them refuses. */
  private report(request: Request, response: Response, met: (BudgetState | undefined)[]): void {
    const fresh = met.filter((state) => state !== undefined);
    const earlier = (budgetsMet.get(request) ?? []).filter(
      (old) => !fresh.some((state) => state.budget === old.budget),
    );
    const states = [...earlier, ...fresh];
    budgetsMet.set(request, states);
    const shown = closestToRunningOut(states);
    if (shown) response.set(rateLimitHeaders(shown));
    const refusal = longestRefusal(fresh);
    if (refusal) {
      const seconds = secondsUntilReset(refusal);
      response.set('Retry-After', String(seconds));
      throw new DomainError('RATE_LIMITED', `Too many requests; retry in ${seconds} seconds`);
    }
  }
}

/**
 * {@link HttpRateLimits.admit} as Express middleware, so it runs before routing and body parsing.
 * Express 5 passes a rejection (the 429) on to Nest's exception filter.
 */
export const rateLimitMiddleware =
  (limits: HttpRateLimits): RequestHandler =>
  async (request: Request, response: Response, next: NextFunction) => {
    await limits.admit(request, response);
    next();
  };
