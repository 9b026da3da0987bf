import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { preparedRows, sqlRows } from '../database/sql-rows.js';
import { TransactionRunner, type Tx } from '../database/transaction-runner.js';
import { appendEventsFrom } from '../events/event.repository.js';
import type { PlatformName } from '../platforms/platform-name.js';
import type { AccountStatus, SealedCredentials, SocialAccount } from './social-account.js';

export interface NewAccount {
  workspaceId: string;
  platform: PlatformName;
  name: string;
  externalId: string | null;
}

/** Seals the account's credentials once its id is known: the id is bound into them (see CredentialsCipher). */
export type SealFor = (accountId: string) => SealedCredentials;

/** Stored credentials as read for re-encryption. */
export interface StoredCredentials {
  accountId: string;
  encryptedCredentials: string;
}

/** Credentials to store in place of `expected`, only if they are still what the row holds. */
export interface CredentialsReplacement extends StoredCredentials {
  expected: string;
}

export interface LockedAccount {
  id: string;
  platform: PlatformName;
  status: AccountStatus;
  encryptedCredentials: string;
  renewAt: Date | null;
}

interface AccountRow {
  id: string;
  workspace_id: string;
  platform: PlatformName;
  name: string;
  external_id: string | null;
  status: AccountStatus;
  status_reason: string | null;
  renew_at: Date | null;
  rate_limited_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * Every column but the credentials, which only leave the table under the account's lock, or to be
 * re-encrypted (see credentialsPage).
 */
const COLUMNS =
  'id, workspace_id, platform, name, external_id, status, status_reason, renew_at, rate_limited_until, created_at, updated_at';

const toAccount = (row: AccountRow): SocialAccount => ({
  id: row.id,
  workspaceId: row.workspace_id,
  platform: row.platform,
  name: row.name,
  externalId: row.external_id,
  status: row.status,
  statusReason: row.status_reason,
  renewAt: row.renew_at,
  rateLimitedUntil: row.rate_limited_until,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

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
    private readonly tx: Tx,
    private readonly accountId: string,
  ) {}

  async renewed(encryptedCredentials: string, renewAt: Date | null): Promise<void> {
    await this.tx.query(
      `UPDATE social_accounts SET encrypted_credentials = $2, renew_at = $3, updated_at = now() WHERE id = $1`,
      [this.accountId, encryptedCredentials, renewAt],
    );
  }

  /**
   * The platform revoked the grant: nothing of this account is published until it is connected again.
   * An account that becomes `needs_reauth` reports it (`account.needs_reauth`) in the same statement;
   * one that already was only gets the newer reason, so a burst of refusals is reported once.
   */
  async needsReauth(reason: string): Promise<void> {
    await this.tx.query(
      `WITH previous AS (SELECT status FROM social_accounts WHERE id = $1),
       changed AS (
         UPDATE social_accounts SET status = 'needs_reauth', status_reason = $2, updated_at = now()
          WHERE id = $1
         RETURNING id, workspace_id, platform, name
       ),
       event AS (${appendEventsFrom(
         'account.needs_reauth',
         `SELECT c.workspace_id,
                 jsonb_build_object('accountId', c.id, 'platform', c.platform, 'name', c.name, 'reason', $2::text) AS data
            FROM changed c, previous WHERE previous.status <> 'needs_reauth'`,
       )})
       SELECT 1`,
      [this.accountId, reason],
    );
  }
}

/** Connected accounts (table `social_accounts`). */
@Injectable()
export class SocialAccountRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  /**
   * Adds the account, or, when the workspace already has this platform account (same external id),
   * gives it the new credentials and makes it active again: connecting again is how an account
   * that needs reconnecting is repaired (`reconnected`). Existing rows are locked while their
   * credentials are sealed for each of them, so a renewal cannot slip in between.
   */
  async connect(
    tx: Tx,
    account: NewAccount & { externalId: string },
    seal: SealFor,
  ): Promise<{ account: SocialAccount; reconnected: boolean }> {
    const existing = await sqlRows<{ id: string }>(
      tx,
      `SELECT id FROM social_accounts
        WHERE workspace_id = $1 AND platform = $2 AND external_id = $3 AND deleted_at IS NULL
        ORDER BY created_at, id FOR UPDATE`,
      [account.workspaceId, account.platform, account.externalId],
    );
    if (existing.length === 0) return { account: await this.create(tx, account, seal), reconnected: false };
    const reconnected: SocialAccount[] = [];
    for (const { id } of existing) {
      const sealed = seal(id);
      const [row] = await sqlRows<AccountRow>(
        tx,
        `UPDATE social_accounts
            SET encrypted_credentials = $2, renew_at = $3, name = $4, status = 'active', status_reason = NULL,
                updated_at = now()
          WHERE id = $1
          RETURNING ${COLUMNS}`,
        [id, sealed.encryptedCredentials, sealed.renewAt, account.name],
      );
      reconnected.push(toAccount(row));
    }
    return { account: reconnected[0], reconnected: true };
  }

  /** Adds the account, its id chosen here so its credentials can be sealed for it before the insert. */
  async create(tx: Tx, account: NewAccount, seal: SealFor): Promise<SocialAccount> {
    const id = randomUUID();
    const sealed = seal(id);
    const [row] = await sqlRows<AccountRow>(
      tx,
      `INSERT INTO social_accounts (id, workspace_id, platform, name, external_id, encrypted_credentials, renew_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'active')
       RETURNING ${COLUMNS}`,
      [
        id,
        account.workspaceId,
        account.platform,
        account.name,
        account.externalId,
        sealed.encryptedCredentials,
        sealed.renewAt,
      ],
    );
    return toAccount(row);
  }

  /**
   * Runs `work` holding the account's row lock, with its encrypted credentials: one renewal at a
   * time per account, whichever process asks. Resolves null when the account is gone.
   */
  async withLockedCredentials<T>(
    accountId: string,
    work: (account: LockedAccount, changes: AccountCredentialChanges) => Promise<T>,
  ): Promise<T | null> {
    return this.transactions.run(async (tx) => {
      const [row] = await sqlRows<LockedAccountRow>(
        tx,
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
      return work(account, new AccountCredentialChanges(tx, accountId));
    });
  }

  /**
   * Up to `limit` stored credentials of accounts with ids after `afterId`, in id order: pages that
   * neither skip nor repeat a row while accounts are added or deleted meanwhile.
   */
  async credentialsPage(afterId: string | null, limit: number): Promise<StoredCredentials[]> {
    const rows = await sqlRows<{ id: string; encrypted_credentials: string }>(
      this.dataSource.manager,
      `SELECT id, encrypted_credentials FROM social_accounts
        WHERE encrypted_credentials IS NOT NULL AND ($1::uuid IS NULL OR id > $1::uuid)
        ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map((row) => ({ accountId: row.id, encryptedCredentials: row.encrypted_credentials }));
  }

  /**
   * Stores each replacement whose row still holds `expected` (a compare-and-swap per row), and returns
   * how many did. Safe next to renewals: a row a renewal holds locked is compared after the renewal
   * commits (PostgreSQL re-reads it under READ COMMITTED), so renewed credentials are never overwritten
   * with re-encrypted old ones. `updated_at` stays: the account itself did not change.
   */
  async replaceCredentials(replacements: CredentialsReplacement[]): Promise<number> {
    if (replacements.length === 0) return 0;
    const replaced = await sqlRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE social_accounts AS a SET encrypted_credentials = r.replacement
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS r(id, expected, replacement)
        WHERE a.id = r.id AND a.encrypted_credentials = r.expected
        RETURNING a.id`,
      [
        replacements.map((r) => r.accountId),
        replacements.map((r) => r.expected),
        replacements.map((r) => r.encryptedCredentials),
      ],
    );
    return replaced.length;
  }

  /** Accounts whose credentials are due for renewal, soonest first (through `social_accounts_renew_idx`). */
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

  async findAll(tx: Tx, workspaceId: string): Promise<SocialAccount[]> {
    const rows = await sqlRows<AccountRow>(
      tx,
      `SELECT ${COLUMNS} FROM social_accounts
        WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`,
      [workspaceId],
    );
    return rows.map(toAccount);
  }

  async findOne(tx: Tx, workspaceId: string, id: string): Promise<SocialAccount | null> {
    const [account] = await this.findMany(tx, workspaceId, [id]);
    return account ?? null;
  }

  /** The accounts of `ids` that exist in this workspace. */
  async findMany(tx: Tx, workspaceId: string, ids: string[]): Promise<SocialAccount[]> {
    if (ids.length === 0) return [];
    const rows = await preparedRows<AccountRow>(
      tx,
      `SELECT ${COLUMNS} FROM social_accounts
        WHERE workspace_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL ORDER BY created_at, id`,
      [workspaceId, ids],
    );
    return rows.map(toAccount);
  }

  /** After a 429: no worker claims any target of the account before `until` (a later pause already set stays). */
  async rateLimitAccount(accountId: string, until: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE social_accounts SET rate_limited_until = greatest(coalesce(rate_limited_until, $2), $2) WHERE id = $1`,
      [accountId, until],
    );
  }

  /**
   * Deletes an account: its credentials are erased, its history stays. Returns the account as it was,
   * or null when there is no such account. Its targets still waiting to be published are the caller's
   * to cancel, in `tx`.
   */
  async softDelete(tx: Tx, workspaceId: string, id: string): Promise<SocialAccount | null> {
    const [deleted] = await sqlRows<AccountRow>(
      tx,
      `UPDATE social_accounts SET deleted_at = now(), encrypted_credentials = NULL, updated_at = now()
        WHERE id = $1 AND workspace_id = $2 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
      [id, workspaceId],
    );
    return deleted ? toAccount(deleted) : null;
  }
}
