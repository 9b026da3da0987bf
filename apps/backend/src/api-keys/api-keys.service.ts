import { Injectable } from '@nestjs/common';
import {
  type ActionOrigin,
  type ApiKeyRole,
  AuditLogRepository,
  DomainError,
  EventRepository,
  generateApiKey,
  hashApiKey,
  roleAllows,
  TransactionRunner,
} from '@app/shared';
import { type ApiKey, ApiKeyRepository } from '../auth/api-key.repository.js';
import type { WorkspacePrincipal } from '../auth/principal.js';
import { RememberedApiKeys } from '../auth/remembered-api-keys.js';

/** How many characters of a key are kept to tell it apart: `hk_` and 8 of its random ones. */
const PREFIX_LENGTH = 11;

/** A key just made: the only time the key itself is shown. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

/** A workspace's API keys: named, each with a role, revocable. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly apiKeys: ApiKeyRepository,
    private readonly remembered: RememberedApiKeys,
    private readonly events: EventRepository,
    private readonly audit: AuditLogRepository,
  ) {}

  list(workspaceId: string): Promise<ApiKey[]> {
    return this.transactions.forWorkspace(workspaceId, (tx) => this.apiKeys.list(tx, workspaceId));
  }

  /** Makes a key; its role may not exceed its creator's, so a key never widens what its maker may do. */
  async create(
    principal: WorkspacePrincipal,
    origin: ActionOrigin,
    key: { name: string; role: ApiKeyRole },
  ): Promise<CreatedApiKey> {
    if (!roleAllows(principal.role, key.role)) {
      throw new DomainError('FORBIDDEN', `A key's role may not exceed yours (${principal.role})`);
    }
    const { workspaceId, actor } = principal;
    const secret = generateApiKey();
    return this.transactions.forWorkspace(workspaceId, async (tx) => {
      const created = await this.apiKeys.create(tx, {
        workspaceId,
        name: key.name,
        role: key.role,
        keyHash: hashApiKey(secret),
        prefix: secret.slice(0, PREFIX_LENGTH),
        createdBy: actor.type === 'user' ? actor.id : null,
      });
      const facts = { apiKeyId: created.id, name: created.name, role: created.role, prefix: created.prefix };
      await this.events.append(tx, workspaceId, [{ type: 'api_key.created', data: facts }]);
      await this.audit.record(tx, workspaceId, origin, {
        action: 'api_key.created',
        subject: { type: 'api_key', id: created.id },
        details: { name: created.name, role: created.role, prefix: created.prefix },
      });
      return { ...created, key: secret };
    });
  }

  /**
   * Revokes a key: its next request to this backend process is refused, and within
   * API_KEY_REMEMBERED_MS on the others. Revoking a revoked key changes nothing.
   */
  async revoke(workspaceId: string, origin: ActionOrigin, id: string): Promise<void> {
    await this.transactions.forWorkspace(workspaceId, async (tx) => {
      const key = await this.apiKeys.find(tx, workspaceId, id);
      if (!key) throw DomainError.notFound('API key');
      if (!(await this.apiKeys.revoke(tx, workspaceId, id))) return;
      await this.events.append(tx, workspaceId, [
        { type: 'api_key.revoked', data: { apiKeyId: id, name: key.name, role: key.role } },
      ]);
      await this.audit.record(tx, workspaceId, origin, {
        action: 'api_key.revoked',
        subject: { type: 'api_key', id },
        details: { name: key.name, role: key.role, prefix: key.prefix },
      });
    });
    this.remembered.forget(id);
  }
}
