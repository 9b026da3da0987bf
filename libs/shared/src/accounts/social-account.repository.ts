import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { sqlRows } from '../database/sql-rows.js';
import type { PlatformName } from '../platforms/platform-name.js';
import { refreshPostStatus } from '../posts/post-target.repository.js';
import { SocialAccount } from './social-account.entity.js';

@Injectable()
export class SocialAccountRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get accounts() {
    return this.dataSource.getRepository(SocialAccount);
  }

  async create(account: {
    workspaceId: string;
    platform: PlatformName;
    name: string;
    encryptedCredentials: string;
  }): Promise<SocialAccount> {
    const saved = await this.accounts.save(this.accounts.create({ ...account, status: 'active' }));
    saved.encryptedCredentials = null;
    return saved;
  }

  async findAll(workspaceId: string): Promise<SocialAccount[]> {
    return this.accounts.find({ where: { workspaceId, deletedAt: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async findOne(workspaceId: string, id: string): Promise<SocialAccount | null> {
    return this.accounts.findOne({ where: { id, workspaceId, deletedAt: IsNull() } });
  }

  async findMany(workspaceId: string, ids: string[]): Promise<SocialAccount[]> {
    if (ids.length === 0) return [];
    return this.accounts
      .createQueryBuilder('account')
      .where('account.workspace_id = :workspaceId AND account.id IN (:...ids) AND account.deleted_at IS NULL', {
        workspaceId,
        ids,
      })
      .getMany();
  }

  /**
   * Deletes an account: its credentials are erased, and targets of it that were still waiting
   * to be published are cancelled (a deleted account must never publish). History stays.
   */
  async softDelete(workspaceId: string, id: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const deleted = await sqlRows<{ id: string }>(
        manager,
        `UPDATE social_accounts SET deleted_at = now(), encrypted_credentials = NULL, updated_at = now()
          WHERE id = $1 AND workspace_id = $2 AND deleted_at IS NULL RETURNING id`,
        [id, workspaceId],
      );
      if (deleted.length === 0) return false;
      const posts = await sqlRows<{ id: string }>(
        manager,
        `SELECT id FROM posts
          WHERE id IN (SELECT post_id FROM post_targets WHERE account_id = $1 AND status IN ('scheduled', 'queued'))
          ORDER BY id FOR UPDATE`,
        [id],
      );
      await manager.query(
        `UPDATE post_targets SET status = 'cancelled', last_error = 'account deleted', updated_at = now()
          WHERE account_id = $1 AND status IN ('scheduled', 'queued')`,
        [id],
      );
      for (const post of posts) await refreshPostStatus(manager, post.id);
      return true;
    });
  }
}
