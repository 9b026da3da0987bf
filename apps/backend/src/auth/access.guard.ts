import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig, DomainError, hashApiKey, roleAllows } from '@app/shared';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpRateLimits } from '../rate-limit/http-rate-limits.js';
import { ACCESS_RULE, type AccessRule } from './access.decorators.js';
import { bearerTokenOf } from './bearer-token.js';
import { RememberedApiKeys } from './remembered-api-keys.js';
import { CsrfTokens } from './csrf-tokens.js';
import type { AuthenticatedRequest, UserPrincipal, WorkspacePrincipal } from './principal.js';
import { sessionTokenOf } from './session-cookie.js';
import { SessionRepository } from './session.repository.js';
import { CSRF_HEADER, hashSessionToken, WORKSPACE_HEADER } from './session-token.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Decides who a request acts for and whether its route lets them, for every route (a global guard).
 *
 * - An API key (`Authorization: Bearer hk_…`) acts in its own workspace with its own role; when a
 *   request carries a key and a session cookie, the key decides.
 * - A session cookie acts for its person; on a workspace route, in the workspace named by the
 *   `X-Herald-Workspace` header, with the person's role there. A session request that changes
 *   something must carry the session's CSRF token in `X-CSRF-Token`, and, when the browser sends an
 *   Origin, come from PUBLIC_BASE_URL's.
 * - The operator's ADMIN_TOKEN opens the operator's routes, compared in constant time after the request
 *   is counted against its address's admin budget.
 *
 * Every missing or wrong credential counts against the address's failed-authentication budget (401);
 * a role too low is 403 naming the role needed. A route without an access rule is refused.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly adminTokenDigest: Buffer;
  private readonly publicOrigin: string;

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: RememberedApiKeys,
    private readonly sessions: SessionRepository,
    private readonly csrf: CsrfTokens,
    private readonly rateLimits: HttpRateLimits,
    private readonly config: AppConfig,
  ) {
    this.adminTokenDigest = digest(config.adminToken);
    this.publicOrigin = new URL(config.publicBaseUrl).origin;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    if (!rule) throw new DomainError('FORBIDDEN', 'This route declares no access rule');
    switch (rule.kind) {
      case 'public':
        return true;
      case 'operator':
        await this.admitOperator(request, response);
        request.principal = { kind: 'operator' };
        return true;
      case 'signedIn':
        request.principal = await this.signedInPerson(request, response);
        return true;
      case 'workspace': {
        const principal = await this.workspaceMember(request, response);
        if (!roleAllows(principal.role, rule.role)) {
          throw new DomainError(
            'FORBIDDEN',
            `This needs the ${rule.role} role (or higher) in the workspace; ${principal.actor.type === 'api_key' ? 'this API key has' : 'you have'} ${principal.role}`,
          );
        }
        request.principal = principal;
        return true;
      }
    }
  }

  private async admitOperator(request: Request, response: Response): Promise<void> {
    await this.rateLimits.chargeAdmin(request, response);
    const token = bearerTokenOf(request);
    if (!token || !timingSafeEqual(digest(token), this.adminTokenDigest)) {
      throw await this.rateLimits.refuseAuthentication(request, response, 'Missing or invalid admin token');
    }
  }

  private async signedInPerson(request: Request, response: Response): Promise<UserPrincipal> {
    const session = await this.liveSession(request, response, null);
    return { kind: 'user', userId: session.userId, email: session.email, sessionId: session.sessionId };
  }

  private async workspaceMember(request: Request, response: Response): Promise<WorkspacePrincipal> {
    const apiKey = bearerTokenOf(request);
    if (apiKey !== null) {
      const key = await this.apiKeys.principal(hashApiKey(apiKey));
      if (!key) throw await this.rateLimits.refuseAuthentication(request, response, 'Invalid API key');
      return {
        kind: 'workspace',
        workspaceId: key.workspaceId,
        role: key.role,
        actor: { type: 'api_key', id: key.apiKeyId, label: key.name },
      };
    }
    if (sessionTokenOf(request) === null) {
      throw await this.rateLimits.refuseAuthentication(
        request,
        response,
        'Missing API key: send Authorization: Bearer <apiKey>, or sign in',
      );
    }
    const workspaceId = request.header(WORKSPACE_HEADER);
    if (!workspaceId || !UUID.test(workspaceId)) {
      throw DomainError.validation([
        { field: WORKSPACE_HEADER, message: 'must name the workspace (its id) on a request made with a session' },
      ]);
    }
    const session = await this.liveSession(request, response, workspaceId);
    if (!session.role) throw new DomainError('FORBIDDEN', 'You are not a member of this workspace');
    return {
      kind: 'workspace',
      workspaceId,
      role: session.role,
      actor: { type: 'user', id: session.userId, label: session.email },
      sessionId: session.sessionId,
    };
  }

  /** The request's live session (401 when none), checked against CSRF when the request changes something. */
  private async liveSession(request: Request, response: Response, workspaceId: string | null) {
    const token = sessionTokenOf(request);
    const session = token
      ? await this.sessions.principal(hashSessionToken(token), workspaceId, this.config.sessions.idleSeconds)
      : null;
    if (!session) {
      throw await this.rateLimits.refuseAuthentication(
        request,
        response,
        token ? 'Your session has ended: sign in again' : 'Sign in first',
      );
    }
    if (!SAFE_METHODS.has(request.method)) {
      const origin = request.header('origin');
      if (origin !== undefined && origin !== this.publicOrigin) {
        throw new DomainError('FORBIDDEN', `Requests with a session must come from ${this.publicOrigin}`);
      }
      if (!this.csrf.matches(session.sessionId, request.header(CSRF_HEADER))) {
        throw new DomainError('FORBIDDEN', `Missing or invalid ${CSRF_HEADER} header (the session's CSRF token)`);
      }
    }
    return session;
  }
}
