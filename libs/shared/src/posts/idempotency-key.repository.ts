import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlRows } from '../database/sql-rows.js';
import type { Tx } from '../database/transaction-runner.js';

/** A request of `POST /v1/posts` with an `Idempotency-Key`, and a hash of what shapes the post. */
export interface IdempotentRequest {
  key: string;
  requestHash: string;
}

/** What an earlier request with the same `Idempotency-Key` sent (as a hash) and was answered. */
export interface EarlierRequest {
  requestHash: string;
  response: unknown;
}

/**
 * `Idempotency-Key`s of `POST /v1/posts` (table `idempotency_keys`), valid for 24 hours. A key is
 * claimed in the transaction that creates the post: a concurrent request with the same key waits for
 * that transaction, then finds the key taken and gets the stored response instead.
 */
@Injectable()
export class IdempotencyKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The earlier request with this key, once it has finished. Checked before any work; `claim` decides. */
  async findFinished(tx: Tx, workspaceId: string, key: string): Promise<EarlierRequest | null> {
    const [row] = await sqlRows<{ request_hash: string; response: unknown }>(
      tx,
      `SELECT request_hash, response FROM idempotency_keys
        WHERE workspace_id = $1 AND key = $2 AND created_at >= now() - interval '24 hours' AND response <> 'null'::jsonb`,
      [workspaceId, key],
    );
    return row ? { requestHash: row.request_hash, response: row.response } : null;
  }

  /** Takes the key for this request (null), or returns the earlier request that holds it. */
  async claim(tx: Tx, workspaceId: string, { key, requestHash }: IdempotentRequest): Promise<EarlierRequest | null> {
    await tx.query(
      `DELETE FROM idempotency_keys WHERE workspace_id = $1 AND key = $2 AND created_at < now() - interval '24 hours'`,
      [workspaceId, key],
    );
    const inserted = await sqlRows<{ key: string }>(
      tx,
      `INSERT INTO idempotency_keys (workspace_id, key, request_hash, response) VALUES ($1, $2, $3, 'null'::jsonb)
       ON CONFLICT DO NOTHING RETURNING key`,
      [workspaceId, key, requestHash],
    );
    if (inserted.length === 1) return null;
    const [existing] = await sqlRows<{ request_hash: string; response: unknown }>(
      tx,
      `SELECT request_hash, response FROM idempotency_keys WHERE workspace_id = $1 AND key = $2`,
      [workspaceId, key],
    );
    return { requestHash: existing.request_hash, response: existing.response };
  }

  /** Keeps the response to replay for later requests with the key claimed in `tx`. */
  async saveResponse(tx: Tx, workspaceId: string, key: string, response: unknown): Promise<void> {
    await tx.query(`UPDATE idempotency_keys SET response = $3 WHERE workspace_id = $1 AND key = $2`, [
      workspaceId,
      key,
      JSON.stringify(response),
    ]);
  }

  /** Removes the keys that expired by `now`; how many. */
  async deleteExpired(now: Date): Promise<number> {
    const deleted = await sqlRows<{ key: string }>(
      this.dataSource.manager,
      `DELETE FROM idempotency_keys WHERE created_at < $1::timestamptz - interval '24 hours' RETURNING key`,
      [now],
    );
    return deleted.length;
  }
}
