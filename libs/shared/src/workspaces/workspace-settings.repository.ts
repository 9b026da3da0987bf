import { Injectable } from '@nestjs/common';
import { sqlRows } from '../database/sql-rows.js';
import type { Tx } from '../database/transaction-runner.js';

/** What a workspace's admins choose for it. */
export interface WorkspaceSettings {
  /** Editors' posts wait for an admin's approval before they are scheduled. */
  requiresApproval: boolean;
}

/** The settings columns of table `workspaces` (WorkspaceRepository creates the rows). */
@Injectable()
export class WorkspaceSettingsRepository {
  async find(tx: Tx, workspaceId: string): Promise<WorkspaceSettings | null> {
    const [row] = await sqlRows<{ requires_approval: boolean }>(
      tx,
      `SELECT requires_approval FROM workspaces WHERE id = $1`,
      [workspaceId],
    );
    return row ? { requiresApproval: row.requires_approval } : null;
  }

  /** Changes the settings given; returns them as they were and as they are now (null: no such workspace). */
  async update(
    tx: Tx,
    workspaceId: string,
    changes: Partial<WorkspaceSettings>,
  ): Promise<{ before: WorkspaceSettings; after: WorkspaceSettings } | null> {
    const [row] = await sqlRows<{ before: boolean; after: boolean }>(
      tx,
      `WITH old AS (SELECT requires_approval FROM workspaces WHERE id = $1 FOR UPDATE)
       UPDATE workspaces w SET requires_approval = coalesce($2, w.requires_approval)
         FROM old
        WHERE w.id = $1
       RETURNING old.requires_approval AS before, w.requires_approval AS after`,
      [workspaceId, changes.requiresApproval ?? null],
    );
    return row ? { before: { requiresApproval: row.before }, after: { requiresApproval: row.after } } : null;
  }
}
