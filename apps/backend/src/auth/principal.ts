import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { ActionOrigin, Actor, Role } from '@app/shared';
import type { Request } from 'express';
import { requestIdOf } from '../common/request-id.middleware.js';

/** A request acting in one workspace: through an API key, or a member's session naming the workspace. */
export interface WorkspacePrincipal {
  kind: 'workspace';
  workspaceId: string;
  role: Role;
  actor: Actor;
  /** Set when the request came with a session (the member's user id is the actor's). */
  sessionId?: string;
}

/** A signed-in person, on a route about themselves rather than a workspace. */
export interface UserPrincipal {
  kind: 'user';
  userId: string;
  email: string;
  sessionId: string;
}

export interface OperatorPrincipal {
  kind: 'operator';
}

export type Principal = WorkspacePrincipal | UserPrincipal | OperatorPrincipal;

/** A request the AccessGuard admitted, with whom it acts for. */
export interface AuthenticatedRequest extends Request {
  principal: Principal;
}

const principalOf = <Kind extends Principal['kind']>(
  context: ExecutionContext,
  kind: Kind,
): Extract<Principal, { kind: Kind }> => {
  const { principal } = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (principal?.kind !== kind) throw new Error(`Route reads a ${kind} principal but its access rule gives another`);
  return principal as Extract<Principal, { kind: Kind }>;
};

/** The workspace the request acts in (routes with `@RequiresRole`). */
export const WorkspaceId = createParamDecorator(
  (_: unknown, context: ExecutionContext): string => principalOf(context, 'workspace').workspaceId,
);

/** The workspace principal itself: its role and actor (routes with `@RequiresRole`). */
export const Member = createParamDecorator((_: unknown, context: ExecutionContext): WorkspacePrincipal =>
  principalOf(context, 'workspace'),
);

/** The signed-in person (routes with `@SignedIn`). */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): UserPrincipal =>
  principalOf(context, 'user'),
);

/** Who made the request, from where: what the audit log records beside a change. */
export const Origin = createParamDecorator((_: unknown, context: ExecutionContext): ActionOrigin => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  const { principal } = request;
  const actor: Actor =
    principal.kind === 'workspace'
      ? principal.actor
      : principal.kind === 'user'
        ? { type: 'user', id: principal.userId, label: principal.email }
        : { type: 'operator', label: 'operator' };
  return { actor, ip: request.ip, requestId: requestIdOf(request) };
});
