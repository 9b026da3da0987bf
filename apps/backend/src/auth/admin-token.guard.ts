import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppConfig, DomainError } from '@app/shared';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerTokenOf } from './bearer-token.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Admits only the operator, who holds ADMIN_TOKEN. Compared in constant time. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: AppConfig) {
    this.expected = digest(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const token = bearerTokenOf(context.switchToHttp().getRequest<Request>());
    if (!token || !timingSafeEqual(digest(token), this.expected)) {
      throw new DomainError('UNAUTHORIZED', 'Missing or invalid admin token');
    }
    return true;
  }
}
