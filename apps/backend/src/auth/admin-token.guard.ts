import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppConfig } from '@app/shared';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpRateLimits } from '../rate-limit/http-rate-limits.js';
import { bearerTokenOf } from './bearer-token.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Admits only the operator, who holds ADMIN_TOKEN. Compared in constant time, after the request is
 * counted against its address's admin budget; a wrong token also counts as a failed authentication.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    config: AppConfig,
    private readonly rateLimits: HttpRateLimits,
  ) {
    this.expected = digest(config.adminToken);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    await this.rateLimits.chargeAdmin(request, response);
    const token = bearerTokenOf(request);
    if (!token || !timingSafeEqual(digest(token), this.expected)) {
      throw await this.rateLimits.refuseAuthentication(request, response, 'Missing or invalid admin token');
    }
    return true;
  }
}
