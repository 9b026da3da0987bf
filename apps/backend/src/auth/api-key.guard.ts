import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError, hashApiKey, WorkspaceRepository } from '@app/shared';
import type { Request } from 'express';
import { bearerTokenOf } from './bearer-token.js';

export interface AuthenticatedRequest extends Request {
  workspaceId: string;
}

/** Admits requests bearing a workspace API key, and remembers which workspace they act for. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly workspaces: WorkspaceRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const apiKey = bearerTokenOf(request);
    if (!apiKey) throw new DomainError('UNAUTHORIZED', 'Missing API key: send Authorization: Bearer <apiKey>');
    const workspace = await this.workspaces.findByApiKeyHash(hashApiKey(apiKey));
    if (!workspace) throw new DomainError('UNAUTHORIZED', 'Invalid API key');
    request.workspaceId = workspace.id;
    return true;
  }
}
