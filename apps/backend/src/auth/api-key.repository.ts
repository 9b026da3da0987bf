import { Injectable } from '@nestjs/common';
import { type ApiKeyRole, sqlRows, type Tx } from '@app/shared';
import { DataSource } from 'typeorm';

/** Who an API key acts for. */
export interface ApiKeyPrincipalRow {
  apiKeyId: string;
  workspaceId: string;
  role: ApiKeyRole;
  name: string;
}

/** An API key as its workspace's admins see it (never the key itself, which is shown once). */
export interface ApiKey {
  id: string;
  name: string;
  role: ApiKeyRole;
  /** The key's first characters, to tell keys apart; '' for keys made before names existed. */
  prefix: string;
  lastUsedAt: Date | null;
  createdAt: Date;
  /** The person who made it; null when made by the operator or another key, or when that person left. */
  createdBy: { userId: string; email: string } | null;
  revokedAt: Date | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  role: ApiKeyRole;
  prefix: string;
  last_used_at: Date | null;
  created_at: Date;
  created_by: string | null;
  created_by_email: string | null;
  revoked_at: Date | null;
}

const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  role: row.role,
  prefix: row.prefix,
  lastUsedAt: row.last_used_at,
  createdAt: row.created_at,
  createdBy: row.created_by && row.created_by_email ? { userId: row.created_by, email: row.created_by_email } : null,
  revokedAt: row.revoked_at,
});

const SELECT_KEYS = `SELECT k.id, k.name, k.role, k.prefix, k.last_used_at, k.created_at, k.created_by,
                            u.email AS created_by_email, k.revoked_at
                       FROM api_keys k LEFT JOIN users u ON u.id = k.created_by`;

/** API keys (table `api_keys`; keys kept as SHA-256 hashes only): the request path's lookup and their management. */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The unrevoked key with this hash: one indexed lookup, never a password hash per request. It comes
   * before any workspace is known, so it goes through a SECURITY DEFINER function that answers only this.
   */
  async principal(keyHash: string): Promise<ApiKeyPrincipalRow | null> {
    const [row] = await sqlRows<{ api_key_id: string; workspace_id: string; role: ApiKeyRole; name: string }>(
      this.dataSource.manager,
      `SELECT * FROM api_key_principal($1)`,
      [keyHash],
    );
    return row ? { apiKeyId: row.api_key_id, workspaceId: row.workspace_id, role: row.role, name: row.name } : null;
  }

  /** The workspace's keys, revoked ones included, newest first. */
  async list(tx: Tx, workspaceId: string): Promise<ApiKey[]> {
    const rows = await sqlRows<ApiKeyRow>(
      tx,
      `${SELECT_KEYS} WHERE k.workspace_id = $1 ORDER BY k.created_at DESC, k.id`,
      [workspaceId],
    );
    return rows.map(toApiKey);
  }

  async create(
    tx: Tx,
    key: {
      workspaceId: string;
      name: string;
      role: ApiKeyRole;
      keyHash: string;
      prefix: string;
      createdBy: string | null;
    },
  ): Promise<ApiKey> {
    const [{ id }] = await sqlRows<{ id: string }>(
      tx,
      `INSERT INTO api_keys (workspace_id, key_hash, name, role, prefix, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [key.workspaceId, key.keyHash, key.name, key.role, key.prefix, key.createdBy],
    );
    const [row] = await sqlRows<ApiKeyRow>(tx, `${SELECT_KEYS} WHERE k.id = $1`, [id]);
    return toApiKey(row);
  }

  async find(tx: Tx, workspaceId: string, id: string): Promise<ApiKey | null> {
    const [row] = await sqlRows<ApiKeyRow>(tx, `${SELECT_KEYS} WHERE k.workspace_id = $1 AND k.id = $2`, [
      workspaceId,
      id,
    ]);
    return row ? toApiKey(row) : null;
  }

  /** Revokes the key: `api_key_principal` no longer finds it, so its next request is refused. False when already revoked. */
  async revoke(tx: Tx, workspaceId: string, id: string): Promise<boolean> {
    const rows = await sqlRows<{ id: string }>(
      tx,
      `UPDATE api_keys SET revoked_at = now() WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id`,
      [workspaceId, id],
    );
    return rows.length > 0;
  }
}
