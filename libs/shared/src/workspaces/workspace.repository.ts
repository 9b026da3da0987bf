import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
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
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  /** Creates a workspace together with its first API key. */
  async createWithApiKey(name: string, apiKeyHash: string): Promise<Workspace> {
    return this.transactions.run(async (tx) => {
      const [row] = await sqlRows<WorkspaceRow>(tx, `INSERT INTO workspaces (name) VALUES ($1) RETURNING *`, [name]);
      await tx.query(`INSERT INTO api_keys (workspace_id, key_hash) VALUES ($1, $2)`, [row.id, apiKeyHash]);
      return toWorkspace(row);
    });
  }

  async findByApiKeyHash(apiKeyHash: string): Promise<Workspace | null> {
    const [row] = await sqlRows<WorkspaceRow>(
      this.dataSource.manager,
      `SELECT w.* FROM workspaces w JOIN api_keys k ON k.workspace_id = w.id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [apiKeyHash],
    );
    return row ? toWorkspace(row) : null;
  }
}
