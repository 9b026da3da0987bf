import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlRows } from '../database/sql-rows.js';
import type { EventCursor } from './event.js';

/**
 * Where each reader of the events outbox is (table `event_consumers`), so a reader picks up after a
 * restart where it left off. A reader moves its cursor only once it has done what the events it passes
 * asked for: a crash in between makes it do them again, never skip them (at least once).
 */
@Injectable()
export class EventConsumerRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The reader's cursor; null before it has read anything (it then starts from the first event). */
  async cursorOf(name: string): Promise<EventCursor | null> {
    const [row] = await sqlRows<{ tx_id: string; event_id: string }>(
      this.dataSource.manager,
      `SELECT tx_id, event_id FROM event_consumers WHERE name = $1`,
      [name],
    );
    return row ? { txId: row.tx_id, eventId: row.event_id } : null;
  }

  /** Moves the reader's cursor to `cursor`; never back, should a stale pass come late. */
  async advance(name: string, cursor: EventCursor): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO event_consumers (name, tx_id, event_id) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET tx_id = EXCLUDED.tx_id, event_id = EXCLUDED.event_id, updated_at = now()
        WHERE (event_consumers.tx_id, event_consumers.event_id) < (EXCLUDED.tx_id, EXCLUDED.event_id)`,
      [name, cursor.txId, cursor.eventId],
    );
  }
}
