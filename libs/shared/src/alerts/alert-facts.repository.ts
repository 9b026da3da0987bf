import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlRows } from '../database/sql-rows.js';
import type { Role } from '../people/role.js';
import type { PlatformName } from '../platforms/platform-name.js';
import type { AlertPreferences } from './alert-kind.js';
import { toAlertPreferences } from './alert-preference.repository.js';

/** A member of a workspace alerts may go to, with their choices there. */
export interface AlertMember {
  workspaceId: string;
  workspaceName: string;
  userId: string;
  role: Role;
  email: string;
  name: string;
  preferences: AlertPreferences;
}

/** A target an alert is about, with its post and account. */
export interface AlertTargetFacts {
  targetId: string;
  workspaceId: string;
  status: string;
  lastError: string | null;
  dueAt: Date;
  postId: string;
  content: string;
  authorUserId: string | null;
  accountId: string;
  accountName: string;
  platform: PlatformName;
}

export interface AlertAccountFacts {
  accountId: string;
  workspaceId: string;
  name: string;
  platform: PlatformName;
  statusReason: string | null;
}

/** A scheduled post an account that needs reconnecting puts at risk. */
export interface PostAtRisk {
  accountId: string;
  postId: string;
  content: string;
  dueAt: Date;
  /** How many targets of the account are waiting in all (the list is capped). */
  total: number;
}

/**
 * What alerts are made of, read across workspaces (only the scheduler, as DATABASE_URL's own user, reads
 * these): the people to tell, and the targets, accounts and posts the events name.
 */
@Injectable()
export class AlertFactsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async members(workspaceIds: string[]): Promise<AlertMember[]> {
    const rows = await sqlRows<{
      workspace_id: string;
      workspace_name: string;
      user_id: string;
      role: Role;
      email: string;
      name: string;
      failed: boolean | null;
      unknown: boolean | null;
      missed: boolean | null;
      needs_reauth: boolean | null;
    }>(
      this.dataSource.manager,
      `SELECT m.workspace_id, w.name AS workspace_name, m.user_id, m.role, u.email, u.name,
              p.failed, p.unknown, p.missed, p.needs_reauth
         FROM memberships m
         JOIN workspaces w ON w.id = m.workspace_id
         JOIN users u ON u.id = m.user_id
         LEFT JOIN alert_preferences p ON p.workspace_id = m.workspace_id AND p.user_id = m.user_id
        WHERE m.workspace_id = ANY($1::uuid[])
        ORDER BY m.workspace_id, u.email`,
      [workspaceIds],
    );
    return rows.map((row) => ({
      workspaceId: row.workspace_id,
      workspaceName: row.workspace_name,
      userId: row.user_id,
      role: row.role,
      email: row.email,
      name: row.name,
      // No row: every alert on.
      preferences: toAlertPreferences({
        failed: row.failed ?? true,
        unknown: row.unknown ?? true,
        missed: row.missed ?? true,
        needs_reauth: row.needs_reauth ?? true,
      }),
    }));
  }

  async targets(targetIds: string[]): Promise<AlertTargetFacts[]> {
    const rows = await sqlRows<{
      target_id: string;
      workspace_id: string;
      status: string;
      last_error: string | null;
      due_at: Date;
      post_id: string;
      content: string;
      author_user_id: string | null;
      account_id: string;
      account_name: string;
      platform: PlatformName;
    }>(
      this.dataSource.manager,
      `SELECT t.id AS target_id, p.workspace_id, t.status, t.last_error, t.due_at, p.id AS post_id, p.content,
              p.author_user_id, a.id AS account_id, a.name AS account_name, t.platform
         FROM post_targets t
         JOIN posts p ON p.id = t.post_id
         JOIN social_accounts a ON a.id = t.account_id
        WHERE t.id = ANY($1::uuid[])`,
      [targetIds],
    );
    return rows.map((row) => ({
      targetId: row.target_id,
      workspaceId: row.workspace_id,
      status: row.status,
      lastError: row.last_error,
      dueAt: row.due_at,
      postId: row.post_id,
      content: row.content,
      authorUserId: row.author_user_id,
      accountId: row.account_id,
      accountName: row.account_name,
      platform: row.platform,
    }));
  }

  async accounts(accountIds: string[]): Promise<AlertAccountFacts[]> {
    const rows = await sqlRows<{
      id: string;
      workspace_id: string;
      name: string;
      platform: PlatformName;
      status_reason: string | null;
    }>(
      this.dataSource.manager,
      `SELECT id, workspace_id, name, platform, status_reason FROM social_accounts WHERE id = ANY($1::uuid[])`,
      [accountIds],
    );
    return rows.map((row) => ({
      accountId: row.id,
      workspaceId: row.workspace_id,
      name: row.name,
      platform: row.platform,
      statusReason: row.status_reason,
    }));
  }

  /**
   * The posts waiting to go out on each account (targets `scheduled` or `queued`), soonest first, at
   * most `perAccount` of each account, each row carrying the account's total.
   */
  async postsAtRisk(accountIds: string[], perAccount: number): Promise<PostAtRisk[]> {
    const rows = await sqlRows<{ account_id: string; post_id: string; content: string; due_at: Date; total: string }>(
      this.dataSource.manager,
      `SELECT account_id, post_id, content, due_at, total FROM (
         SELECT t.account_id, p.id AS post_id, p.content, t.due_at,
                row_number() OVER (PARTITION BY t.account_id ORDER BY t.due_at, t.id) AS position,
                count(*) OVER (PARTITION BY t.account_id) AS total
           FROM post_targets t JOIN posts p ON p.id = t.post_id
          WHERE t.account_id = ANY($1::uuid[]) AND t.status IN ('scheduled', 'queued')
       ) waiting
       WHERE position <= $2
       ORDER BY account_id, due_at, post_id`,
      [accountIds, perAccount],
    );
    return rows.map((row) => ({
      accountId: row.account_id,
      postId: row.post_id,
      content: row.content,
      dueAt: row.due_at,
      total: Number(row.total),
    }));
  }
}
