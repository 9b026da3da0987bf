import { Injectable, Logger } from '@nestjs/common';
import {
  type ActionOrigin,
  AppConfig,
  AuditLogRepository,
  DomainError,
  EventRepository,
  Mailer,
  normalizeEmail,
  type Role,
  roleAllows,
  TransactionRunner,
  type Tx,
  UserRepository,
  type Workspace,
  WorkspaceRepository,
} from '@app/shared';
import type { WorkspacePrincipal } from '../auth/principal.js';
import { MembershipRepository } from '../members/membership.repository.js';
import { hashInvitationToken, type Invitation, INVITATION_TTL_MS, newInvitationToken } from './invitation.js';
import { invitationLink, invitationMail } from './invitation-mail.js';
import { InvitationRepository } from './invitation.repository.js';

/** Whom to invite, and as what. */
export interface Invitee {
  email: string;
  name?: string;
  role: Role;
}

/** Invitations by emailed, single-use, expiring links: sending, listing, revoking. */
@Injectable()
export class InvitationsService {
  private readonly logger = new Logger(InvitationsService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly invitations: InvitationRepository,
    private readonly memberships: MembershipRepository,
    private readonly users: UserRepository,
    private readonly workspaces: WorkspaceRepository,
    private readonly events: EventRepository,
    private readonly audit: AuditLogRepository,
    private readonly mailer: Mailer,
    private readonly config: AppConfig,
  ) {}

  /** A member invites someone; only an owner invites an owner. */
  async invite(principal: WorkspacePrincipal, origin: ActionOrigin, invitee: Invitee): Promise<Invitation> {
    if (invitee.role === 'owner' && !roleAllows(principal.role, 'owner')) {
      throw new DomainError('FORBIDDEN', 'Inviting an owner needs the owner role (or higher) in the workspace');
    }
    return this.transactions.forWorkspace(principal.workspaceId, async (tx) => {
      const workspace = await this.workspaceOf(tx, principal.workspaceId);
      return this.inviteIn(tx, workspace, origin, invitee);
    });
  }

  /**
   * Invites `invitee` in the caller's transaction of `workspace`, and sends the mail before it commits:
   * when the mail server refuses, nothing is saved (a link that went out for a change that then rolled
   * back would only answer 410).
   */
  async inviteIn(tx: Tx, workspace: Workspace, origin: ActionOrigin, invitee: Invitee): Promise<Invitation> {
    const email = normalizeEmail(invitee.email);
    const user = await this.users.findByEmail(email, tx);
    if (user && (await this.memberships.find(tx, workspace.id, user.id))) {
      throw new DomainError('CONFLICT', `${email} is already a member of this workspace`);
    }
    const token = newInvitationToken();
    const { actor } = origin;
    const invitation = await this.invitations.replacePending(tx, {
      workspaceId: workspace.id,
      email,
      name: invitee.name ?? '',
      role: invitee.role,
      tokenHash: hashInvitationToken(token),
      invitedBy: { userId: actor.type === 'user' ? actor.id : null, label: actor.label },
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    });
    const facts = { invitationId: invitation.id, email, role: invitation.role };
    await this.events.append(tx, workspace.id, [{ type: 'member.invited', data: facts }]);
    await this.audit.record(tx, workspace.id, origin, {
      action: 'member.invited',
      subject: { type: 'invitation', id: invitation.id },
      details: { email, role: invitation.role },
    });
    const link = invitationLink(this.config.publicBaseUrl, token);
    const inviter = actor.type === 'user' ? actor.label : null;
    await this.mailer.send(invitationMail(invitation, workspace.name, link, inviter)).catch((error: Error) => {
      this.logger.warn(`Invitation ${invitation.id} to workspace ${workspace.id} not sent: ${error.message}`);
      throw new DomainError(
        'DEPENDENCY_UNAVAILABLE',
        'The mail server did not take the invitation, so it was not saved; please retry shortly',
      );
    });
    return invitation;
  }

  list(workspaceId: string): Promise<Invitation[]> {
    return this.transactions.forWorkspace(workspaceId, (tx) => this.invitations.listPending(tx, workspaceId));
  }

  /** Revokes a pending invitation: its link then answers 410. */
  async revoke(workspaceId: string, origin: ActionOrigin, id: string): Promise<void> {
    await this.transactions.forWorkspace(workspaceId, async (tx) => {
      const invitation = await this.invitations.revoke(tx, workspaceId, id);
      if (!invitation) throw DomainError.notFound('Pending invitation');
      await this.audit.record(tx, workspaceId, origin, {
        action: 'invitation.revoked',
        subject: { type: 'invitation', id },
        details: { email: invitation.email, role: invitation.role },
      });
    });
  }

  private async workspaceOf(tx: Tx, workspaceId: string): Promise<Workspace> {
    const workspace = await this.workspaces.findById(tx, workspaceId);
    if (!workspace) throw DomainError.notFound('Workspace');
    return workspace;
  }
}
