import { SetMetadata } from '@nestjs/common';
import type { Role } from '@app/shared';

/**
 * Who may call a route. Every route declares one (on its controller or itself; the route's own wins):
 * the AccessGuard refuses a route that declares none, so a forgotten rule fails closed.
 */
export type AccessRule =
  | { kind: 'public' }
  /** The operator, holding ADMIN_TOKEN. */
  | { kind: 'operator' }
  /** A signed-in person, whatever their workspaces (their own profile, sessions, workspaces). */
  | { kind: 'signedIn' }
  /** An API key, or a signed-in member naming the workspace, holding at least `role` there. */
  | { kind: 'workspace'; role: Role };

export const ACCESS_RULE = 'herald:access';

export const Public = () => SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);
export const OperatorOnly = () => SetMetadata(ACCESS_RULE, { kind: 'operator' } satisfies AccessRule);
export const SignedIn = () => SetMetadata(ACCESS_RULE, { kind: 'signedIn' } satisfies AccessRule);
export const RequiresRole = (role: Role) => SetMetadata(ACCESS_RULE, { kind: 'workspace', role } satisfies AccessRule);
