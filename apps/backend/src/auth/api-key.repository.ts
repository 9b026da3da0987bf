import { Injectable } from '@nestjs/common';
import { type ApiKeyRole, sqlRows } from '@app/shared';
import { DataSource } from 'typeorm';

/** Who an API key acts for. */
export interface ApiKeyPrincipalRow {
  apiKeyId: string;
  workspaceId: string;
  role: ApiKeyRole;
  name: string;
}

/** API keys as the request path needs them (table `api_keys`; keys kept as SHA-256 hashes only). */
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
}
