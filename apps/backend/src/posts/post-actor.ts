import { roleAllows, type ActionOrigin, type Actor, type Role } from '@app/shared';

/** Who changes a post: their role decides whether it needs approval, their origin goes to the audit log. */
export interface PostActor {
  role: Role;
  origin: ActionOrigin;
}

/**
 * Whether the role's posts skip approval where the workspace requires it: an admin's or owner's do, an
 * editor's (session or editor key) wait for one.
 */
export const trustedToPublish = (role: Role): boolean => roleAllows(role, 'admin');

/** The author columns of a post written by `actor`. */
export const authorOf = (actor: Actor): { userId: string | null; apiKeyId: string | null } => ({
  userId: actor.type === 'user' ? actor.id : null,
  apiKeyId: actor.type === 'api_key' ? actor.id : null,
});
