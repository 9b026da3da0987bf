import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { sqlRows } from '../database/sql-rows.js';
import type { PlatformName } from '../platforms/platform-name.js';
import { refreshPostStatus } from '../posts/post-target.repository.js';
import { SocialAccount, type AccountStatus } from './social-account.entity.js';

export interface NewAccount {
  workspaceId: string;
  platform: PlatformName;
  name: string;
  externalId: string | null;
  encryptedCredentials: string;
  renewAt: Date | null;
}

export interface LockedAccount {
  id: string;
  platform: PlatformName;
  status: AccountStatus;
  encryptedCredentials: string;
  renewAt: Date | null;
}

interface LockedAccountRow {
  id: string;
  platform: PlatformName;
  status: AccountStatus;
  encrypted_credentials: string;
  renew_at: Date | null;
}

/** The writes allowed while {@link SocialAccountRepository.withLockedCredentials} holds the account. */
export class AccountCredentialChanges {
  constructor(
    private readonly manager: EntityManager,
    private readonly accountId: string,
  ) {}

  async renewed(encryptedCredentials: string, renewAt: Date | null): Promise<void> {
    await this.manager.query(
      `UPDATE social_accounts SET encrypted_credentials = $2, renew_at = $3, updated_at = now() WHERE id = $1`,
      [this.accountId, encryptedCredentials, renewAt],
    );
  }

  /** The platform revoked the grant: nothing of this account is published until it is connected again. */
  async needsReauth(reason: string): Promise<void> {
    await this.manager.query(
      `UPDATE social_accounts SET status = 'needs_reauth', status_reason = $2, updated_at = now() WHERE id = $1`,
      [this.accountId, reason],
    );
  }
}

@Injectable()
export class SocialAccountRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get accounts() {
    return this.dataSource.getRepository(SocialAccount);
  }

  async create(account: NewAccount): Promise<SocialAccount> {
    const saved = await this.accounts.save(this.accounts.create({ ...account, status: 'active' }));
    saved.encryptedCredentials = null;
    return saved;
  }

  /**
   * Adds the account, or, when the workspace already has this platform account (same external id),
   * gives it the new credentials and makes it active again: connecting again is how an account
   * that needs reconnecting is repaired.
   */
  async connect(account: NewAccount & { externalId: string }): Promise<SocialAccount> {
    const [row] = await sqlRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE social_accounts
          SET encrypted_credentials = $4, renew_at = $5, name = $6, status = 'active', status_reason = NULL,
              updated_at = now()
        WHERE workspace_id = $1 AND platform = $2 AND external_id = $3 AND deleted_at IS NULL
        RETURNING id`,
      [
        account.workspaceId,
        account.platform,
        account.externalId,
        account.encryptedCredentials,
        account.renewAt,
        account.name,
      ],
    );
    if (!row) return this.create(account);
    return (await this.findOne(account.workspaceId, row.id))!;
  }

  /**
   * Runs `work` holding the account's row lock, with its encrypted credentials: one renewal at a
   * time per account, whichever process asks. Resolves null when the account is gone.
   */
  async withLockedCredentials<T>(
    accountId: string,
    work: (account: LockedAccount, changes: AccountCredentialChanges) => Promise<T>,
  ): Promise<T | null> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = await sqlRows<LockedAccountRow>(
        manager,
        `SELECT id, platform, status, encrypted_credentials, renew_at FROM social_accounts
          WHERE id = $1 AND deleted_at IS NULL AND encrypted_credentials IS NOT NULL FOR UPDATE`,
        [accountId],
      );
      if (!row) return null;
      const account: LockedAccount = {
        id: row.id,
        platform: row.platform,
        status: row.status,
        encryptedCredentials: row.encrypted_credentials,
        renewAt: row.renew_at,
      };
      return work(account, new AccountCredentialChanges(manager, accountId));
    });
  }

  /** Accounts whose credentials are due for renewal, soonest first. */
  async findDueForRenewal(limit: number): Promise<string[]> {
    const rows = await sqlRows<{ id: string }>(
      this.dataSource.manager,
      `SELECT id FROM social_accounts
        WHERE renew_at <= now() AND status = 'active' AND deleted_at IS NULL
        ORDER BY renew_at LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
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
