import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedRows, sqlRows } from '../database/sql-rows.js';
import type { Tx } from '../database/transaction-runner.js';
import type { EventCursor, EventType, HeraldEvent, NewEvent } from './event.js';

interface EventRow {
  id: string;
  workspace_id: string;
  type: HeraldEvent['type'];
  data: Record<string, unknown>;
  tx_id: string;
  created_at: Date;
}

/** The `events` outbox (table `events`, append-only). */
@Injectable()
export class EventRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Adds events in the caller's transaction: they commit or roll back with the change they report. */
  async append(tx: Tx, workspaceId: string, events: NewEvent[]): Promise<void> {
    if (events.length === 0) return;
    await preparedRows(
      tx,
      `INSERT INTO events (workspace_id, type, data)
       SELECT $1, e.type, e.data FROM jsonb_to_recordset($2::jsonb) AS e(type text, data jsonb)`,
      [workspaceId, JSON.stringify(events)],
    );
  }

  /**
   * The next events after `after` (from the start when null), across workspaces, oldest first, that no
   * running transaction can still precede: only transactions older than the oldest one running are
   * read, so an event that commits later always sorts after the cursor. Returns each event with the
   * cursor just past it.
   */
  async readAfter(after: EventCursor | null, limit: number): Promise<{ event: HeraldEvent; cursor: EventCursor }[]> {
    const rows = await sqlRows<EventRow>(
      this.dataSource.manager,
      `SELECT id, workspace_id, type, data, tx_id, created_at FROM events
        WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
          AND ($1::xid8 IS NULL OR (tx_id, id) > ($1::xid8, $2::bigint))
        ORDER BY tx_id, id
        LIMIT $3`,
      [after?.txId ?? null, after?.eventId ?? null, limit],
    );
    return rows.map((row) => ({
      event: { id: row.id, workspaceId: row.workspace_id, type: row.type, data: row.data, createdAt: row.created_at },
      cursor: { txId: row.tx_id, eventId: row.id },
    }));
  }
}

/**
 * The part of a statement that appends one `type` event per row of `rows`, a query yielding
 * `workspace_id` and `data` (jsonb), for a write on the hot path that reports its change in the
 * statement that makes it (a CTE) instead of a round trip more: the event commits or rolls back with it.
 */
export const appendEventsFrom = (type: EventType, rows: string): string =>
  `INSERT INTO events (workspace_id, type, data) SELECT e.workspace_id, '${type}', e.data FROM (${rows}) e`;
