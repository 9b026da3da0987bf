import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { sqlRows } from '../database/sql-rows.js';
import { TransactionRunner, type Tx } from '../database/transaction-runner.js';
import type { Workspace } from './workspace.js';

interface WorkspaceRow {
  id: string;
  name: string;
  default_max_lateness_seconds: number;
  created_at: Date;
}

const toWorkspace = (row: WorkspaceRow): Workspace => ({
  id: row.id,
  name: row.name,
  defaultMaxLatenessSeconds: row.default_max_lateness_seconds,
  createdAt: row.created_at,
});

/** Workspaces and their API keys (tables `workspaces`, `api_keys`; keys are stored as SHA-256 hashes only). */
@Injectable()
export class WorkspaceRepository {
  constructor(private readonly transactions: TransactionRunner) {}

  /**
   * Creates a workspace together with its first API key, on the new workspace's own behalf: the API
   * role may write exactly that workspace's rows. `andThen` runs in the same transaction (the first
   * owner's invitation, the audit line), so the workspace exists only if it succeeds too.
   */
  async createWithApiKey(
    name: string,
    apiKeyHash: string,
    andThen: (tx: Tx, workspace: Workspace) => Promise<void> = async () => {},
  ): Promise<Workspace> {
    const id = randomUUID();
    return this.transactions.forWorkspace(id, async (tx) => {
      const [row] = await sqlRows<WorkspaceRow>(tx, `INSERT INTO workspaces (id, name) VALUES ($1, $2) RETURNING *`, [
        id,
        name,
      ]);
      await tx.query(
        `INSERT INTO api_keys (workspace_id, key_hash, name, role) VALUES ($1, $2, 'Default key', 'admin')`,
        [row.id, apiKeyHash],
      );
      const workspace = toWorkspace(row);
      await andThen(tx, workspace);
      return workspace;
    });
  }

  async findById(tx: Tx, id: string): Promise<Workspace | null> {
    const [row] = await sqlRows<WorkspaceRow>(tx, `SELECT * FROM workspaces WHERE id = $1`, [id]);
    return row ? toWorkspace(row) : null;
  }

  async rename(tx: Tx, id: string, name: string): Promise<void> {
    await tx.query(`UPDATE workspaces SET name = $2 WHERE id = $1`, [id, name]);
  }

  /** Deletes the workspace; everything it holds goes with it (ON DELETE CASCADE), its audit log included. */
  async delete(tx: Tx, id: string): Promise<void> {
    await tx.query(`DELETE FROM workspaces WHERE id = $1`, [id]);
  }
}
