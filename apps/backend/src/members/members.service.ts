import { Injectable } from '@nestjs/common';
import {
  type ActionOrigin,
  AuditLogRepository,
  DomainError,
  EventRepository,
  type Role,
  TransactionRunner,
  type Tx,
} from '@app/shared';
import type { WorkspacePrincipal } from '../auth/principal.js';
import { decideMembershipChange, type MembershipChange } from './membership-change.js';
import { type WorkspaceMember, MembershipRepository } from './membership.repository.js';

/** The user the principal acts for, when a person (not an API key) makes the request. */
const userIdOf = (principal: WorkspacePrincipal): string | null =>
  principal.actor.type === 'user' ? principal.actor.id : null;

/** A workspace's members and their roles: listing, role changes, removal, handing over ownership. */
@Injectable()
export class MembersService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly memberships: MembershipRepository,
    private readonly events: EventRepository,
    private readonly audit: AuditLogRepository,
  ) {}

  list(workspaceId: string): Promise<WorkspaceMember[]> {
    return this.transactions.forWorkspace(workspaceId, (tx) => this.memberships.list(tx, workspaceId));
  }

  async changeRole(
    principal: WorkspacePrincipal,
    origin: ActionOrigin,
    userId: string,
    role: Role,
  ): Promise<WorkspaceMember> {
    const { workspaceId } = principal;
    return this.transactions.forWorkspace(workspaceId, async (tx) => {
      const { member, apply } = await this.decide(tx, principal, userId, { kind: 'role', to: role });
      if (!apply) return member;
      await this.memberships.setRole(tx, workspaceId, userId, role);
      await this.recordRoleChange(tx, workspaceId, origin, member, role);
      return { ...member, role };
    });
  }

  async remove(principal: WorkspacePrincipal, origin: ActionOrigin, userId: string): Promise<void> {
    const { workspaceId } = principal;
    await this.transactions.forWorkspace(workspaceId, async (tx) => {
      const { member } = await this.decide(tx, principal, userId, { kind: 'remove' });
      await this.memberships.remove(tx, workspaceId, userId);
      const left = userIdOf(principal) === userId;
      await this.events.append(tx, workspaceId, [
        { type: 'member.removed', data: { userId, email: member.email, role: member.role, left } },
      ]);
      await this.audit.record(tx, workspaceId, origin, {
        action: 'member.removed',
        subject: { type: 'user', id: userId },
        details: { email: member.email, role: member.role, left },
      });
    });
  }

  /** The calling owner hands ownership to another member, and stays on as an admin. */
  async transferOwnership(
    principal: WorkspacePrincipal,
    origin: ActionOrigin,
    userId: string,
  ): Promise<WorkspaceMember> {
    const { workspaceId } = principal;
    const ownerId = userIdOf(principal);
    if (ownerId === userId) {
      throw DomainError.validation([{ field: 'userId', message: 'is you: name the member to hand the workspace to' }]);
    }
    return this.transactions.forWorkspace(workspaceId, async (tx) => {
      await this.memberships.lockOwners(tx, workspaceId);
      const next = this.found(await this.memberships.find(tx, workspaceId, userId));
      const owner = ownerId ? await this.memberships.find(tx, workspaceId, ownerId) : null;
      if (owner?.role !== 'owner') throw new DomainError('FORBIDDEN', 'Only an owner can hand over the workspace');
      if (next.role !== 'owner') {
        await this.memberships.setRole(tx, workspaceId, next.userId, 'owner');
        await this.recordRoleChange(tx, workspaceId, origin, next, 'owner');
      }
      await this.memberships.setRole(tx, workspaceId, owner.userId, 'admin');
      await this.recordRoleChange(tx, workspaceId, origin, owner, 'admin');
      await this.audit.record(tx, workspaceId, origin, {
        action: 'workspace.ownership_transferred',
        subject: { type: 'user', id: next.userId },
        details: { from: owner.email, to: next.email },
      });
      return { ...next, role: 'owner' };
    });
  }

  /** Locks the owners, reads the member and decides the change: whether to apply it, or the refusal thrown. */
  private async decide(
    tx: Tx,
    principal: WorkspacePrincipal,
    userId: string,
    change: MembershipChange,
  ): Promise<{ member: WorkspaceMember; apply: boolean }> {
    const owners = await this.memberships.lockOwners(tx, principal.workspaceId);
    const member = this.found(await this.memberships.find(tx, principal.workspaceId, userId));
    const decision = decideMembershipChange({
      actorRole: await this.currentRole(tx, principal),
      self: userIdOf(principal) === userId,
      memberRole: member.role,
      change,
      owners,
    });
    switch (decision.kind) {
      case 'apply':
        return { member, apply: true };
      case 'unchanged':
        return { member, apply: false };
      case 'forbidden':
        throw new DomainError('FORBIDDEN', decision.message);
      case 'conflict':
        throw new DomainError('CONFLICT', decision.message);
    }
  }

  /**
   * The caller's role as of the owners' lock: a person demoted by a change that committed while this
   * request waited for the lock acts with their new role, not the one the AccessGuard read.
   */
  private async currentRole(tx: Tx, principal: WorkspacePrincipal): Promise<Role> {
    const userId = userIdOf(principal);
    if (!userId) return principal.role;
    const self = await this.memberships.find(tx, principal.workspaceId, userId);
    if (!self) throw new DomainError('FORBIDDEN', 'You are not a member of this workspace');
    return self.role;
  }

  private found(member: WorkspaceMember | null): WorkspaceMember {
    if (!member) throw DomainError.notFound('Member');
    return member;
  }

  private async recordRoleChange(tx: Tx, workspaceId: string, origin: ActionOrigin, member: WorkspaceMember, to: Role) {
    const data = { userId: member.userId, email: member.email, from: member.role, to };
    await this.events.append(tx, workspaceId, [{ type: 'member.role_changed', data }]);
    await this.audit.record(tx, workspaceId, origin, {
      action: 'member.role_changed',
      subject: { type: 'user', id: member.userId },
      details: { email: member.email, from: member.role, to },
    });
  }
}
