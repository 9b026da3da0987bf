import { type Role, roleAllows } from '@app/shared';

/** What is asked of a membership: a new role, or leaving the workspace. */
export type MembershipChange = { kind: 'role'; to: Role } | { kind: 'remove' };

/** The facts a membership change is decided on. */
export interface MembershipChangeFacts {
  /** The caller's role (a person's, or an API key's). */
  actorRole: Role;
  /** The caller is the member changed (a person leaving, or changing their own role). */
  self: boolean;
  memberRole: Role;
  change: MembershipChange;
  /** Owners of the workspace, the member included when they are one. */
  owners: number;
}

export type MembershipDecision =
  | { kind: 'apply' }
  /** The role asked for is the member's already: nothing to write. */
  | { kind: 'unchanged' }
  | { kind: 'forbidden'; message: string }
  | { kind: 'conflict'; message: string };

const needs = (role: Role, what: string): MembershipDecision => ({
  kind: 'forbidden',
  message: `${what} needs the ${role} role (or higher) in the workspace`,
});

/**
 * Whether a membership change may happen. Admins manage members; anyone may leave; only an owner
 * grants the owner role or takes it away (demoting or removing an owner); a workspace always keeps an
 * owner, so demoting or removing the last one is a conflict, whoever asks.
 */
export function decideMembershipChange(facts: MembershipChangeFacts): MembershipDecision {
  const { actorRole, self, memberRole, change, owners } = facts;
  if (change.kind === 'role' && change.to === memberRole) return { kind: 'unchanged' };
  const leaving = change.kind === 'remove' && self;
  if (!leaving && !roleAllows(actorRole, 'admin')) {
    return needs('admin', change.kind === 'remove' ? 'Removing another member' : 'Changing a role');
  }
  const touchesOwner = memberRole === 'owner' || (change.kind === 'role' && change.to === 'owner');
  if (!leaving && touchesOwner && !roleAllows(actorRole, 'owner')) {
    return needs('owner', change.kind === 'remove' ? 'Removing an owner' : 'Granting or taking away the owner role');
  }
  if (memberRole === 'owner' && owners <= 1) {
    return {
      kind: 'conflict',
      message:
        change.kind === 'remove'
          ? 'The workspace would have no owner left: make another member owner first'
          : 'This is the last owner: make another member owner first',
    };
  }
  return { kind: 'apply' };
}
