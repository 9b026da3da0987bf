import { Injectable } from '@nestjs/common';
import { type Role, sqlRows, type Tx } from '@app/shared';

/** A person's membership of a workspace, with who they are. */
export interface WorkspaceMember {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: Date;
}

interface MemberRow {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  created_at: Date;
}

const toMember = (row: MemberRow): WorkspaceMember => ({
  userId: row.user_id,
  email: row.email,
  name: row.name,
  role: row.role,
  joinedAt: row.created_at,
});

const SELECT_MEMBERS = `SELECT m.user_id, u.email, u.name, m.role, m.created_at
                          FROM memberships m JOIN users u ON u.id = m.user_id`;

/** Memberships (table `memberships`), in a workspace's transaction. */
@Injectable()
export class MembershipRepository {
  async list(tx: Tx, workspaceId: string): Promise<WorkspaceMember[]> {
    const rows = await sqlRows<MemberRow>(
      tx,
      `${SELECT_MEMBERS} WHERE m.workspace_id = $1 ORDER BY m.created_at, u.email`,
      [workspaceId],
    );
    return rows.map(toMember);
  }

  async find(tx: Tx, workspaceId: string, userId: string): Promise<WorkspaceMember | null> {
    const [row] = await sqlRows<MemberRow>(tx, `${SELECT_MEMBERS} WHERE m.workspace_id = $1 AND m.user_id = $2`, [
      workspaceId,
      userId,
    ]);
    return row ? toMember(row) : null;
  }

  /**
   * Locks the workspace's owners and returns how many there are. Every change that may take away an
   * owner takes this lock first, so two owners demoting each other at once are serialized and the
   * second sees the first's result (FOR UPDATE re-reads a changed row): a workspace never loses its
   * last owner.
   */
  async lockOwners(tx: Tx, workspaceId: string): Promise<number> {
    const rows = await sqlRows<{ user_id: string }>(
      tx,
      `SELECT user_id FROM memberships WHERE workspace_id = $1 AND role = 'owner' ORDER BY user_id FOR UPDATE`,
      [workspaceId],
    );
    return rows.length;
  }

  /** Adds the membership; false when the person is already a member. */
  async add(tx: Tx, membership: { workspaceId: string; userId: string; role: Role }): Promise<boolean> {
    const rows = await sqlRows<{ user_id: string }>(
      tx,
      `INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (workspace_id, user_id) DO NOTHING RETURNING user_id`,
      [membership.workspaceId, membership.userId, membership.role],
    );
    return rows.length > 0;
  }

  async setRole(tx: Tx, workspaceId: string, userId: string, role: Role): Promise<void> {
    await tx.query(`UPDATE memberships SET role = $3, updated_at = now() WHERE workspace_id = $1 AND user_id = $2`, [
      workspaceId,
      userId,
      role,
    ]);
  }

  async remove(tx: Tx, workspaceId: string, userId: string): Promise<void> {
    await tx.query(`DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, userId]);
  }
}
