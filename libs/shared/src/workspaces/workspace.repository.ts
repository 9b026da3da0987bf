import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiKey } from './api-key.entity.js';
import { Workspace } from './workspace.entity.js';

@Injectable()
export class WorkspaceRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Creates a workspace together with its first API key (stored as a hash only). */
  async createWithApiKey(name: string, apiKeyHash: string): Promise<Workspace> {
    return this.dataSource.transaction(async (manager) => {
      const workspace = await manager.save(manager.create(Workspace, { name }));
      await manager.insert(ApiKey, { workspaceId: workspace.id, keyHash: apiKeyHash });
      return workspace;
    });
  }

  async findByApiKeyHash(apiKeyHash: string): Promise<Workspace | null> {
    return this.dataSource
      .getRepository(Workspace)
      .createQueryBuilder('workspace')
      .innerJoin(ApiKey, 'key', 'key.workspace_id = workspace.id')
      .where('key.key_hash = :apiKeyHash AND key.revoked_at IS NULL', { apiKeyHash })
      .getOne();
  }
}
