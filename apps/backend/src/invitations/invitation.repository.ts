import { Injectable } from '@nestjs/common';
import { type Role, sqlRows, type Tx } from '@app/shared';
import { DataSource } from 'typeorm';
import type { Invitation } from './invitation.js';

interface InvitationRow {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  role: Role;
  invited_by_label: string;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

const toInvitation = (row: InvitationRow): Invitation => ({
  id: row.id,
  workspaceId: row.workspace_id,
  email: row.email,
  name: row.name,
  role: row.role,
  invitedBy: row.invited_by_label,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  acceptedAt: row.accepted_at,
  revokedAt: row.revoked_at,
});

export interface NewInvitation {
  workspaceId: string;
  email: string;
  name: string;
  role: Role;
  tokenHash: string;
  invitedBy: { userId: string | null; label: string };
  expiresAt: Date;
}

/** Invitations to workspaces (table `invitations`; link tokens kept as SHA-256 hashes only). */
@Injectable()
export class InvitationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Saves the invitation, replacing the email's pending one in the workspace (its old link stops
   * working): one statement on the pending-invitation unique index, so two invitations at once leave one.
   */
  async replacePending(tx: Tx, invitation: NewInvitation): Promise<Invitation> {
    const [row] = await sqlRows<InvitationRow>(
      tx,
      `INSERT INTO invitations (workspace_id, email, name, role, token_hash, invited_by_user_id, invited_by_label, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (workspace_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL
       DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, token_hash = EXCLUDED.token_hash,
                     invited_by_user_id = EXCLUDED.invited_by_user_id, invited_by_label = EXCLUDED.invited_by_label,
                     created_at = now(), expires_at = EXCLUDED.expires_at
       RETURNING *`,
      [
        invitation.workspaceId,
        invitation.email,
        invitation.name,
        invitation.role,
        invitation.tokenHash,
        invitation.invitedBy.userId,
        invitation.invitedBy.label,
        invitation.expiresAt,
      ],
    );
    return toInvitation(row);
  }

  /** The workspace's invitations neither accepted nor revoked (expired ones included), newest first. */
  async listPending(tx: Tx, workspaceId: string): Promise<Invitation[]> {
    const rows = await sqlRows<InvitationRow>(
      tx,
      `SELECT * FROM invitations WHERE workspace_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL
        ORDER BY created_at DESC, id`,
      [workspaceId],
    );
    return rows.map(toInvitation);
  }

  /** Revokes a pending invitation; null when there is no pending one with this id. */
  async revoke(tx: Tx, workspaceId: string, id: string): Promise<Invitation | null> {
    const [row] = await sqlRows<InvitationRow>(
      tx,
      `UPDATE invitations SET revoked_at = now()
        WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING *`,
      [workspaceId, id],
    );
    return row ? toInvitation(row) : null;
  }

  /**
   * The workspace a link's token belongs to. It comes before any workspace is known, so it goes
   * through a SECURITY DEFINER function that answers only this.
   */
  async workspaceOfToken(tokenHash: string): Promise<string | null> {
    const [row] = await sqlRows<{ workspace_id: string | null }>(
      this.dataSource.manager,
      `SELECT invitation_workspace($1) AS workspace_id`,
      [tokenHash],
    );
    return row?.workspace_id ?? null;
  }

  /** The invitation with this token, locked until the transaction ends, so a link is accepted once. */
  async lockByToken(tx: Tx, workspaceId: string, tokenHash: string): Promise<Invitation | null> {
    const [row] = await sqlRows<InvitationRow>(
      tx,
      `SELECT * FROM invitations WHERE workspace_id = $1 AND token_hash = $2 FOR UPDATE`,
      [workspaceId, tokenHash],
    );
    return row ? toInvitation(row) : null;
  }

  async markAccepted(tx: Tx, workspaceId: string, id: string): Promise<void> {
    await tx.query(`UPDATE invitations SET accepted_at = now() WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  }
}
