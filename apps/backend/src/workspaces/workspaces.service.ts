import { Injectable, Logger } from '@nestjs/common';
import {
  type ActionOrigin,
  AuditLogRepository,
  DomainError,
  EventRepository,
  generateApiKey,
  hashApiKey,
  type Role,
  TransactionRunner,
  type Tx,
  type Workspace,
  WorkspaceRepository,
} from '@app/shared';
import { RememberedApiKeys } from '../auth/remembered-api-keys.js';
import { toInvitationResponse } from '../invitations/dto/invitation.response.js';
import { InvitationsService } from '../invitations/invitations.service.js';
import type { CreatedWorkspaceResponse } from './dto/create-workspace.dto.js';

/** A workspace as its members see it, with the caller's role there. */
export interface WorkspaceResponse {
  id: string;
  name: string;
  role: Role;
  createdAt: Date;
}

@Injectable()
export class WorkspacesService {
  private readonly logger = new Logger(WorkspacesService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly workspaces: WorkspaceRepository,
    private readonly invitations: InvitationsService,
    private readonly events: EventRepository,
    private readonly audit: AuditLogRepository,
    private readonly rememberedKeys: RememberedApiKeys,
  ) {}

  /**
   * The operator creates a workspace with its admin API key and, given an owner's email, invites its
   * first owner: all in one transaction, so a mail server that refuses the invitation creates nothing.
   */
  async create(
    origin: ActionOrigin,
    request: { name: string; ownerEmail?: string; ownerName?: string },
  ): Promise<CreatedWorkspaceResponse> {
    const apiKey = generateApiKey();
    let ownerInvitation: CreatedWorkspaceResponse['ownerInvitation'];
    const workspace = await this.workspaces.createWithApiKey(request.name, hashApiKey(apiKey), async (tx, created) => {
      await this.audit.record(tx, created.id, origin, {
        action: 'workspace.created',
        subject: { type: 'workspace', id: created.id },
        details: { name: created.name },
      });
      if (request.ownerEmail === undefined) return;
      const invitation = await this.invitations.inviteIn(tx, created, origin, {
        email: request.ownerEmail,
        name: request.ownerName,
        role: 'owner',
      });
      ownerInvitation = toInvitationResponse(invitation);
    });
    return { id: workspace.id, name: workspace.name, apiKey, ...(ownerInvitation ? { ownerInvitation } : {}) };
  }

  async get(workspaceId: string, role: Role): Promise<WorkspaceResponse> {
    const workspace = await this.transactions.forWorkspace(workspaceId, (tx) => this.find(tx, workspaceId));
    return { id: workspace.id, name: workspace.name, role, createdAt: workspace.createdAt };
  }

  async rename(workspaceId: string, role: Role, origin: ActionOrigin, name: string): Promise<WorkspaceResponse> {
    const workspace = await this.transactions.forWorkspace(workspaceId, async (tx) => {
      const current = await this.find(tx, workspaceId);
      if (current.name === name) return current;
      await this.workspaces.rename(tx, workspaceId, name);
      await this.events.append(tx, workspaceId, [
        { type: 'workspace.settings_changed', data: { name: { from: current.name, to: name } } },
      ]);
      await this.audit.record(tx, workspaceId, origin, {
        action: 'workspace.renamed',
        subject: { type: 'workspace', id: workspaceId },
        details: { from: current.name, to: name },
      });
      return { ...current, name };
    });
    return { id: workspace.id, name: workspace.name, role, createdAt: workspace.createdAt };
  }

  /**
   * Deletes the workspace and everything in it (accounts, posts, keys, memberships, its events and
   * audit log), once the caller typed its name. Jobs still in Redis then find nothing to claim.
   */
  async delete(workspaceId: string, origin: ActionOrigin, confirmName: string): Promise<void> {
    await this.transactions.forWorkspace(workspaceId, async (tx) => {
      const workspace = await this.find(tx, workspaceId);
      if (confirmName !== workspace.name) {
        throw DomainError.validation([
          { field: 'confirmName', message: `must be the workspace's name, "${workspace.name}", to delete it` },
        ]);
      }
      await this.workspaces.delete(tx, workspaceId);
    });
    this.rememberedKeys.forgetWorkspace(workspaceId);
    // Its audit log goes with it, so the deletion is logged here instead.
    this.logger.log(
      `Workspace ${workspaceId} deleted by ${origin.actor.type} ${origin.actor.label} (${origin.requestId})`,
    );
  }

  private async find(tx: Tx, workspaceId: string): Promise<Workspace> {
    const workspace = await this.workspaces.findById(tx, workspaceId);
    if (!workspace) throw DomainError.notFound('Workspace');
    return workspace;
  }
}
