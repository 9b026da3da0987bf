import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlRows } from '../database/sql-rows.js';
import type { Tx } from '../database/transaction-runner.js';
import type { Role } from '../people/role.js';
import type { AlertPreferences } from './alert-kind.js';

interface PreferencesRow {
  failed: boolean;
  unknown: boolean;
  missed: boolean;
  needs_reauth: boolean;
}

export const toAlertPreferences = (row: PreferencesRow): AlertPreferences => ({
  failed: row.failed,
  unknown: row.unknown,
  missed: row.missed,
  needsReauth: row.needs_reauth,
});

/** A person's alert choices in one of their workspaces. */
export interface WorkspaceAlertPreferences {
  workspaceId: string;
  workspaceName: string;
  role: Role;
  preferences: AlertPreferences;
}

/** Members' alert choices, per workspace (table `alert_preferences`; no row: every alert on). */
@Injectable()
export class AlertPreferenceRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The person's choices in every workspace they belong to (a SECURITY DEFINER lookup: no workspace is named). */
  async ofUser(userId: string): Promise<WorkspaceAlertPreferences[]> {
    const rows = await sqlRows<PreferencesRow & { workspace_id: string; workspace_name: string; role: Role }>(
      this.dataSource.manager,
      `SELECT * FROM alert_preferences_of_user($1)`,
      [userId],
    );
    return rows.map((row) => ({
      workspaceId: row.workspace_id,
      workspaceName: row.workspace_name,
      role: row.role,
      preferences: toAlertPreferences(row),
    }));
  }

  /** Saves a member's choices in the workspace; false (nothing saved) when they are no member of it. */
  async save(tx: Tx, workspaceId: string, userId: string, preferences: AlertPreferences): Promise<boolean> {
    const saved = await sqlRows(
      tx,
      `INSERT INTO alert_preferences (workspace_id, user_id, failed, unknown, missed, needs_reauth)
       SELECT m.workspace_id, m.user_id, $3, $4, $5, $6 FROM memberships m
        WHERE m.workspace_id = $1 AND m.user_id = $2
       ON CONFLICT (workspace_id, user_id) DO UPDATE
         SET failed = EXCLUDED.failed, unknown = EXCLUDED.unknown, missed = EXCLUDED.missed,
             needs_reauth = EXCLUDED.needs_reauth, updated_at = now()
       RETURNING workspace_id`,
      [workspaceId, userId, preferences.failed, preferences.unknown, preferences.missed, preferences.needsReauth],
    );
    return saved.length > 0;
  }
}
