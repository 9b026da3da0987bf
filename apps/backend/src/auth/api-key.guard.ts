import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { hashApiKey } from '@app/shared';
import type { Request, Response } from 'express';
import { HttpRateLimits } from '../rate-limit/http-rate-limits.js';
import { ApiKeyWorkspaces } from './api-key-workspaces.js';
import { bearerTokenOf } from './bearer-token.js';

export interface AuthenticatedRequest extends Request {
  workspaceId: string;
}

/**
 * Admits requests bearing a workspace API key, and remembers which workspace they act for. A missing
 * or unknown key counts against the address's failed-authentication budget.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly workspaces: ApiKeyWorkspaces,
    private readonly rateLimits: HttpRateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const apiKey = bearerTokenOf(request);
    const workspaceId = apiKey ? await this.workspaces.workspaceIdOf(hashApiKey(apiKey)) : null;
    if (!workspaceId) {
      const message = apiKey ? 'Invalid API key' : 'Missing API key: send Authorization: Bearer <apiKey>';
      throw await this.rateLimits.refuseAuthentication(
        request,
        context.switchToHttp().getResponse<Response>(),
        message,
      );
    }
    request.workspaceId = workspaceId;
    return true;
  }
}
