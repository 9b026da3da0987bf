import { Injectable } from '@nestjs/common';
import { sqlRows } from '../database/sql-rows.js';
import type { Tx } from '../database/transaction-runner.js';
import { ALL_ALERTS_ON, type AlertPreferences } from './alert-kind.js';

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

/** A member's alert choices in one workspace (table `alert_preferences`; no row: every alert on). */
@Injectable()
export class AlertPreferenceRepository {
  async find(tx: Tx, workspaceId: string, userId: string): Promise<AlertPreferences> {
    const [row] = await sqlRows<PreferencesRow>(
      tx,
      `SELECT failed, unknown, missed, needs_reauth FROM alert_preferences WHERE workspace_id = $1 AND user_id = $2`,
      [workspaceId, userId],
    );
    return row ? toAlertPreferences(row) : { ...ALL_ALERTS_ON };
  }

  /** Saves the member's choices; the membership must exist (the row goes with it). */
  async save(tx: Tx, workspaceId: string, userId: string, preferences: AlertPreferences): Promise<void> {
    await tx.query(
      `INSERT INTO alert_preferences (workspace_id, user_id, failed, unknown, missed, needs_reauth)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (workspace_id, user_id) DO UPDATE
         SET failed = EXCLUDED.failed, unknown = EXCLUDED.unknown, missed = EXCLUDED.missed,
             needs_reauth = EXCLUDED.needs_reauth, updated_at = now()`,
      [workspaceId, userId, preferences.failed, preferences.unknown, preferences.missed, preferences.needsReauth],
    );
  }
}
