import { Injectable } from '@nestjs/common';
import { sqlRows } from '../database/sql-rows.js';
import type { Tx } from '../database/transaction-runner.js';
import type { PublishingPause } from './publishing-pause.js';

interface PauseRow {
  account_id: string | null;
  reason: string | null;
  paused_by: string;
  created_at: Date;
}

/** A pause with who set it (their email or key name). */
export interface RecordedPause extends PublishingPause {
  pausedBy: string;
}

const toPause = (row: PauseRow): RecordedPause => ({
  accountId: row.account_id,
  since: row.created_at,
  reason: row.reason,
  pausedBy: row.paused_by,
});

/**
 * The kill switch's pauses (table `publishing_pauses`): at most one for a workspace as a whole and one
 * per account. The claim condition (`notPaused`) reads this table, so a pause takes effect at the
 * next claim, whatever jobs Redis holds.
 */
@Injectable()
export class PublishingPauseRepository {
  /**
   * Pauses the workspace (`accountId` null) or one of its accounts. Returns the pause in force and
   * whether this call set it (false: it was already paused, and stays as it was).
   */
  async pause(
    tx: Tx,
    workspaceId: string,
    accountId: string | null,
    pause: { reason: string | null; pausedBy: string },
  ): Promise<{ pause: RecordedPause; created: boolean }> {
    const conflict =
      accountId === null ? `(workspace_id) WHERE account_id IS NULL` : `(account_id) WHERE account_id IS NOT NULL`;
    const [created] = await sqlRows<PauseRow>(
      tx,
      `INSERT INTO publishing_pauses (workspace_id, account_id, reason, paused_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT ${conflict} DO NOTHING
       RETURNING account_id, reason, paused_by, created_at`,
      [workspaceId, accountId, pause.reason, pause.pausedBy],
    );
    if (created) return { pause: toPause(created), created: true };
    const existing = await this.find(tx, workspaceId, accountId);
    return { pause: existing!, created: false };
  }

  /** Lifts the pause of the workspace (`accountId` null) or of one account; returns it, or null if there was none. */
  async resume(tx: Tx, workspaceId: string, accountId: string | null): Promise<RecordedPause | null> {
    const [removed] = await sqlRows<PauseRow>(
      tx,
      `DELETE FROM publishing_pauses WHERE workspace_id = $1 AND account_id IS NOT DISTINCT FROM $2
       RETURNING account_id, reason, paused_by, created_at`,
      [workspaceId, accountId],
    );
    return removed ? toPause(removed) : null;
  }

  /** Every pause of the workspace: its own first, then its accounts', oldest first. */
  async findAll(tx: Tx, workspaceId: string): Promise<RecordedPause[]> {
    const rows = await sqlRows<PauseRow>(
      tx,
      `SELECT account_id, reason, paused_by, created_at FROM publishing_pauses
        WHERE workspace_id = $1 ORDER BY account_id IS NOT NULL, created_at, id`,
      [workspaceId],
    );
    return rows.map(toPause);
  }

  /** The pause of the workspace (`accountId` null) or of one account, if any. */
  async find(tx: Tx, workspaceId: string, accountId: string | null): Promise<RecordedPause | null> {
    const [row] = await sqlRows<PauseRow>(
      tx,
      `SELECT account_id, reason, paused_by, created_at FROM publishing_pauses
        WHERE workspace_id = $1 AND account_id IS NOT DISTINCT FROM $2`,
      [workspaceId, accountId],
    );
    return row ? toPause(row) : null;
  }
}
