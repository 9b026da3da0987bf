import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { sqlRows } from '../database/sql-rows.js';
import { TransactionRunner } from '../database/transaction-runner.js';
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
   * role may write exactly that workspace's rows.
   */
  async createWithApiKey(name: string, apiKeyHash: string): Promise<Workspace> {
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
      return toWorkspace(row);
    });
  }
}
