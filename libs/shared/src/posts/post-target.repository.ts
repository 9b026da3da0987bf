import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '../database/sql-rows.js';
import type { AccountStatus } from '../accounts/social-account.entity.js';
import type { PlatformName } from '../platforms/platform-name.js';
import type { PublishedPost } from '../platforms/platform-provider.js';
import { derivePostStatus, type TargetStatus } from './post-status.js';
import type { PostMediaRef } from './post.repository.js';

/** A target a worker has just claimed: it owns it until its lease expires. */
export interface ClaimedTarget {
  id: string;
  postId: string;
  accountId: string;
  platform: PlatformName;
  /** The attempt number of this claim; it fences every later write of this worker. */
  attempt: number;
  /** When this claim was taken: the start of the attempt, as recorded in its history. */
  claimedAt: Date;
  /**
   * `unknown` after an attempt whose outcome was lost, `publishing` when a previous worker's lease
   * lapsed: in both cases that attempt may have reached the platform.
   */
  previousStatus: TargetStatus;
  /** When the previous attempt started, to bound the search for a post it may have published. */
  previousAttemptStartedAt: Date | null;
  /** The account's own text if the post gave one, else the post's content. */
  content: string;
  media: PostMediaRef[];
  /** The thread's later posts, after `content`. */
  thread: string[];
  /** The parts of the thread already on the platform, in order: publishing goes on after them. */
  publishedParts: PublishedPost[];
  /** When the target should have gone out; `maxLatenessSeconds` counts from here. */
  dueAt: Date;
  maxLatenessSeconds: number;
  encryptedCredentials: string | null;
  accountStatus: AccountStatus;
  /** Why the account needs reconnecting, when it does. */
  accountStatusReason: string | null;
  /** When the account's credentials are due for renewal (null: they do not expire). */
  accountRenewAt: Date | null;
}

/** Why a target could not be claimed, and when to look again (null: nothing left to do). */
export interface UnclaimableTarget {
  status: TargetStatus;
  retryAt: Date | null;
}

export interface DueTarget {
  id: string;
  status: TargetStatus;
  dueAt: Date;
}

export interface DueCursor {
  dueAt: Date;
  id: string;
}

/** How one attempt ended, as kept in its history (`publish_attempts`) and returned by the API. */
export type AttemptOutcome =
  'published' | 'recovered' | 'retry' | 'rate_limited' | 'unknown' | 'unverifiable' | 'failed' | 'missed';

export interface AttemptRecord {
  outcome: AttemptOutcome;
  error?: string;
  statusCode?: number;
}

interface ClaimRow {
  id: string;
  post_id: string;
  account_id: string;
  platform: PlatformName;
  attempts: number;
  claimed_at: Date;
  previous_status: TargetStatus;
  previous_attempt_started_at: Date | null;
  effective_content: string;
  media: PostMediaRef[];
  thread: string[];
  published_parts: PublishedPost[];
  due_at: Date;
  max_lateness_seconds: number;
  encrypted_credentials: string | null;
  account_status: AccountStatus;
  account_status_reason: string | null;
  account_renew_at: Date | null;
}

/**
 * Every state change of a publish target. Each change runs in a transaction that first locks the
 * target's post row: that serialises all writers of one post (workers, scheduler, API), so the
 * post's derived status is recomputed from a consistent view and two writers never deadlock
 * (they always lock the post before its targets).
 */
@Injectable()
export class PostTargetRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes ownership of a target for one attempt. Succeeds only for a target that is due (to publish,
   * retry or reconcile) and whose account is not rate-limited, or whose previous owner's lease has
   * lapsed. So two workers holding duplicate jobs for one target never both publish it, and a
   * rescheduled, cancelled or rate-limited target is left alone.
   */
  async claim(targetId: string, leaseSeconds: number): Promise<ClaimedTarget | null> {
    return this.withPostLocked(targetId, async (manager) => {
      const [row] = await sqlRows<ClaimRow>(
        manager,
        `WITH previous AS (
           SELECT t.id, t.status,
                  CASE WHEN t.status = 'publishing' THEN t.updated_at
                       ELSE (SELECT max(started_at) FROM publish_attempts WHERE target_id = t.id) END AS attempt_started_at
             FROM post_targets t WHERE t.id = $1
         ),
         claimed AS (
           UPDATE post_targets t
              SET status = 'publishing', attempts = t.attempts + 1,
                  lease_expires_at = now() + make_interval(secs => $2), updated_at = now()
             FROM previous
            WHERE t.id = previous.id
              AND ((t.status IN ('scheduled', 'queued', 'unknown') AND t.next_attempt_at <= now()
                    AND NOT EXISTS (SELECT 1 FROM social_accounts a
                                     WHERE a.id = t.account_id AND a.rate_limited_until > now()))
                OR (t.status = 'publishing' AND t.lease_expires_at < now()))
           RETURNING t.*, previous.status AS previous_status, previous.attempt_started_at AS previous_attempt_started_at
         )
         SELECT c.*, c.updated_at AS claimed_at, coalesce(c.content, p.content) AS effective_content, p.media, p.thread,
                p.max_lateness_seconds, a.encrypted_credentials, a.status AS account_status,
                a.status_reason AS account_status_reason, a.renew_at AS account_renew_at
           FROM claimed c
           JOIN posts p ON p.id = c.post_id
           JOIN social_accounts a ON a.id = c.account_id`,
        [targetId, leaseSeconds],
      );
      return row ? toClaimedTarget(row) : null;
    });
  }

  /** For a target that could not be claimed: its state, and when a job for it should look again. */
  async whyUnclaimable(targetId: string): Promise<UnclaimableTarget | null> {
    const [row] = await sqlRows<{ status: TargetStatus; retry_at: Date | null }>(
      this.dataSource.manager,
      `SELECT t.status,
              CASE WHEN t.status = 'publishing' THEN t.lease_expires_at
                   WHEN t.status IN ('scheduled', 'queued', 'unknown')
                     THEN greatest(t.next_attempt_at, a.rate_limited_until) END AS retry_at
         FROM post_targets t JOIN social_accounts a ON a.id = t.account_id
        WHERE t.id = $1`,
      [targetId],
    );
    return row ? { status: row.status, retryAt: row.retry_at } : null;
  }

  async markPublished(
    claim: ClaimedTarget,
    result: { platformPostId: string; url: string },
    outcome: 'published' | 'recovered',
  ): Promise<boolean> {
    return this.finishAttempt(
      claim,
      { outcome },
      `status = 'published', platform_post_id = $3, url = $4, published_at = now(), last_error = NULL,
       next_attempt_at = NULL`,
      [result.platformPostId, result.url],
    );
  }

  /**
   * Records the thread's parts on the platform so far, and extends the lease for the next one: a
   * later attempt goes on after them instead of posting them again. False if the claim was lost.
   */
  async recordParts(claim: ClaimedTarget, parts: PublishedPost[], leaseSeconds: number): Promise<boolean> {
    const updated = await sqlRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE post_targets
          SET published_parts = $3::jsonb, lease_expires_at = now() + make_interval(secs => $4), updated_at = now()
        WHERE id = $1 AND status = 'publishing' AND attempts = $2
        RETURNING id`,
      [claim.id, claim.attempt, JSON.stringify(parts), leaseSeconds],
    );
    return updated.length === 1;
  }

  /** The post certainly did not land: try again at `retryAt`. */
  async markForRetry(claim: ClaimedTarget, record: AttemptRecord, retryAt: Date): Promise<boolean> {
    return this.finishAttempt(claim, record, `status = 'queued', last_error = $3, next_attempt_at = $4`, [
      record.error ?? null,
      retryAt,
    ]);
  }

  /**
   * The post may have landed. With `reconcileAt`, a worker looks on the platform then; without,
   * nobody can tell and the target stays `unknown` for a person to decide (never re-posted blindly).
   */
  async markUnknown(claim: ClaimedTarget, record: AttemptRecord, reconcileAt: Date | null): Promise<boolean> {
    return this.finishAttempt(claim, record, `status = 'unknown', last_error = $3, next_attempt_at = $4`, [
      record.error ?? null,
      reconcileAt,
    ]);
  }

  async markFailed(claim: ClaimedTarget, record: AttemptRecord): Promise<boolean> {
    return this.finishAttempt(claim, record, `status = 'failed', last_error = $3, next_attempt_at = NULL`, [
      record.error ?? null,
    ]);
  }

  async markMissed(claim: ClaimedTarget, record: AttemptRecord): Promise<boolean> {
    return this.finishAttempt(claim, record, `status = 'missed', last_error = $3, next_attempt_at = NULL`, [
      record.error ?? null,
    ]);
  }

  /** After a 429: no worker claims any target of the account before `until`. */
  async rateLimitAccount(accountId: string, until: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE social_accounts SET rate_limited_until = greatest(coalesce(rate_limited_until, $2), $2) WHERE id = $1`,
      [accountId, until],
    );
  }

  /**
   * Due targets for the scheduler, oldest first, in pages (keyset pagination on the partial index
   * `post_targets_due_idx`, so the scan never touches future or settled targets).
   */
  async findDue(limit: number, after?: DueCursor): Promise<DueTarget[]> {
    const rows = await sqlRows<{ id: string; status: TargetStatus; due_at: Date }>(
      this.dataSource.manager,
      `SELECT id, status, next_attempt_at AS due_at FROM post_targets t
        WHERE status IN ('scheduled', 'queued', 'unknown') AND next_attempt_at <= now()
          AND (next_attempt_at, id) > ($1::timestamptz, $2::uuid)
          AND NOT EXISTS (SELECT 1 FROM social_accounts a WHERE a.id = t.account_id AND a.rate_limited_until > now())
        ORDER BY next_attempt_at, id
        LIMIT $3`,
      [after?.dueAt ?? new Date(0), after?.id ?? '00000000-0000-0000-0000-000000000000', limit],
    );
    return rows.map((row) => ({ id: row.id, status: row.status, dueAt: row.due_at }));
  }

  /** Targets whose worker died mid-publish (lease lapsed), through `post_targets_lease_idx`. */
  async findExpiredLeases(limit: number, after?: DueCursor): Promise<DueTarget[]> {
    const rows = await sqlRows<{ id: string; status: TargetStatus; due_at: Date }>(
      this.dataSource.manager,
      `SELECT id, status, lease_expires_at AS due_at FROM post_targets
        WHERE status = 'publishing' AND lease_expires_at < now()
          AND (lease_expires_at, id) > ($1::timestamptz, $2::uuid)
        ORDER BY lease_expires_at, id
        LIMIT $3`,
      [after?.dueAt ?? new Date(0), after?.id ?? '00000000-0000-0000-0000-000000000000', limit],
    );
    return rows.map((row) => ({ id: row.id, status: row.status, dueAt: row.due_at }));
  }

  /** Marks scheduled targets as queued once the scheduler has made sure they have a job. */
  async markQueued(targetIds: string[]): Promise<void> {
    if (targetIds.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      // Posts are locked in id order, so this never deadlocks with another batch or a single-post writer.
      const posts = await sqlRows<{ id: string }>(
        manager,
        `SELECT id FROM posts
          WHERE id IN (SELECT post_id FROM post_targets WHERE id = ANY($1::uuid[]) AND status = 'scheduled')
          ORDER BY id FOR UPDATE`,
        [targetIds],
      );
      await manager.query(
        `UPDATE post_targets SET status = 'queued', updated_at = now() WHERE id = ANY($1::uuid[]) AND status = 'scheduled'`,
        [targetIds],
      );
      for (const post of posts) await refreshPostStatus(manager, post.id);
    });
  }

  /**
   * Records how the claimed attempt ended, in the target and in its history. Fenced by the attempt
   * number: a worker whose lease was taken over cannot overwrite its successor's result.
   */
  private async finishAttempt(
    claim: ClaimedTarget,
    record: AttemptRecord,
    assignments: string,
    values: unknown[],
  ): Promise<boolean> {
    return this.withPostLocked(claim.id, async (manager) => {
      const updated = await sqlRows<{ id: string }>(
        manager,
        `UPDATE post_targets SET ${assignments}, lease_expires_at = NULL, updated_at = now()
          WHERE id = $1 AND status = 'publishing' AND attempts = $2
          RETURNING id`,
        [claim.id, claim.attempt, ...values],
      );
      if (updated.length === 0) return false;
      await manager.query(
        `INSERT INTO publish_attempts (target_id, attempt, started_at, outcome, error, status_code)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [claim.id, claim.attempt, claim.claimedAt, record.outcome, record.error ?? null, record.statusCode ?? null],
      );
      return true;
    });
  }

  private async withPostLocked<T>(targetId: string, change: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const [post] = await sqlRows<{ id: string }>(
        manager,
        `SELECT p.id FROM posts p JOIN post_targets t ON t.post_id = p.id WHERE t.id = $1 FOR UPDATE OF p`,
        [targetId],
      );
      const result = await change(manager);
      if (post) await refreshPostStatus(manager, post.id);
      return result;
    });
  }
}

/**
 * Recomputes a post's stored status from its targets. Call it inside the transaction that changed
 * them, after locking the post row, so it reads every committed target change.
 */
export async function refreshPostStatus(manager: EntityManager, postId: string): Promise<void> {
  const targets = await sqlRows<{ status: TargetStatus }>(
    manager,
    `SELECT status FROM post_targets WHERE post_id = $1`,
    [postId],
  );
  await manager.query(`UPDATE posts SET status = $2, updated_at = now() WHERE id = $1 AND status <> $2`, [
    postId,
    derivePostStatus(targets.map((target) => target.status)),
  ]);
}

function toClaimedTarget(row: ClaimRow): ClaimedTarget {
  return {
    id: row.id,
    postId: row.post_id,
    accountId: row.account_id,
    platform: row.platform,
    attempt: row.attempts,
    claimedAt: row.claimed_at,
    previousStatus: row.previous_status,
    previousAttemptStartedAt: row.previous_attempt_started_at,
    content: row.effective_content,
    media: row.media,
    thread: row.thread,
    publishedParts: row.published_parts,
    dueAt: row.due_at,
    maxLatenessSeconds: row.max_lateness_seconds,
    encryptedCredentials: row.encrypted_credentials,
    accountStatus: row.account_status,
    accountStatusReason: row.account_status_reason,
    accountRenewAt: row.account_renew_at,
  };
}
