import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '../database/sql-rows.js';
import type { PlatformName } from '../platforms/platform-name.js';
import { derivePostStatus, type TargetStatus } from './post-status.js';

/** A target a worker has just claimed: it owns it until `leaseExpiresAt`. */
export interface ClaimedTarget {
  id: string;
  postId: string;
  accountId: string;
  platform: PlatformName;
  /** The attempt number of this claim; it fences every later write of this worker. */
  attempt: number;
  /** `publishing` when a previous worker's lease lapsed: that attempt may have reached the platform. */
  previousStatus: TargetStatus;
  /** When the previous attempt started, to bound the search for a post it may have published. */
  previousAttemptStartedAt: Date | null;
  content: string;
  encryptedCredentials: string | null;
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

interface TargetRow {
  id: string;
  post_id: string;
  account_id: string;
  platform: PlatformName;
  status: TargetStatus;
  attempts: number;
  previous_status: TargetStatus;
  previous_attempt_started_at: Date | null;
  content: string;
  encrypted_credentials: string | null;
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
   * Takes ownership of a target for one publish attempt. Succeeds only for a target that is due and
   * pending, or whose previous owner's lease has lapsed; so two workers holding duplicate jobs for
   * the same target can never both publish it, and a rescheduled or cancelled target is left alone.
   */
  async claim(targetId: string, leaseSeconds: number): Promise<ClaimedTarget | null> {
    return this.withPostLocked(targetId, async (manager) => {
      const [row] = await sqlRows<TargetRow>(
        manager,
        `WITH previous AS (
           SELECT id, status, CASE WHEN status = 'publishing' THEN updated_at END AS attempt_started_at
           FROM post_targets WHERE id = $1
         ),
         claimed AS (
           UPDATE post_targets t
              SET status = 'publishing', attempts = t.attempts + 1,
                  lease_expires_at = now() + make_interval(secs => $2), updated_at = now()
             FROM previous
            WHERE t.id = previous.id
              AND ((t.status IN ('scheduled', 'queued') AND t.next_attempt_at <= now())
                OR (t.status = 'publishing' AND t.lease_expires_at < now()))
           RETURNING t.*, previous.status AS previous_status, previous.attempt_started_at AS previous_attempt_started_at
         )
         SELECT c.*, p.content, a.encrypted_credentials
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
    const [row] = await sqlRows<{ status: TargetStatus; next_attempt_at: Date; lease_expires_at: Date | null }>(
      this.dataSource.manager,
      `SELECT status, next_attempt_at, lease_expires_at FROM post_targets WHERE id = $1`,
      [targetId],
    );
    if (!row) return null;
    const retryAt =
      row.status === 'publishing'
        ? row.lease_expires_at
        : row.status === 'scheduled' || row.status === 'queued'
          ? row.next_attempt_at
          : null;
    return { status: row.status, retryAt };
  }

  async markPublished(
    targetId: string,
    attempt: number,
    result: { platformPostId: string; url: string },
  ): Promise<boolean> {
    return this.finishAttempt(
      targetId,
      attempt,
      `status = 'published', platform_post_id = $3, url = $4, published_at = now(), last_error = NULL`,
      [result.platformPostId, result.url],
    );
  }

  async markForRetry(targetId: string, attempt: number, error: string, retryAt: Date): Promise<boolean> {
    return this.finishAttempt(targetId, attempt, `status = 'queued', last_error = $3, next_attempt_at = $4`, [
      error,
      retryAt,
    ]);
  }

  async markFailed(targetId: string, attempt: number, error: string): Promise<boolean> {
    return this.finishAttempt(targetId, attempt, `status = 'failed', last_error = $3`, [error]);
  }

  /**
   * Due targets for the scheduler, oldest first, in pages (keyset pagination on the partial index
   * `post_targets_due_idx`, so the scan never touches future or settled targets).
   */
  async findDue(limit: number, after?: DueCursor): Promise<DueTarget[]> {
    const rows = await sqlRows<{ id: string; status: TargetStatus; due_at: Date }>(
      this.dataSource.manager,
      `SELECT id, status, next_attempt_at AS due_at FROM post_targets
        WHERE status IN ('scheduled', 'queued') AND next_attempt_at <= now()
          AND (next_attempt_at, id) > ($1::timestamptz, $2::uuid)
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

  private async finishAttempt(
    targetId: string,
    attempt: number,
    assignments: string,
    values: unknown[],
  ): Promise<boolean> {
    return this.withPostLocked(targetId, async (manager) => {
      const updated = await sqlRows<{ id: string }>(
        manager,
        `UPDATE post_targets SET ${assignments}, lease_expires_at = NULL, updated_at = now()
          WHERE id = $1 AND status = 'publishing' AND attempts = $2
          RETURNING id`,
        [targetId, attempt, ...values],
      );
      return updated.length === 1;
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

function toClaimedTarget(row: TargetRow): ClaimedTarget {
  return {
    id: row.id,
    postId: row.post_id,
    accountId: row.account_id,
    platform: row.platform,
    attempt: row.attempts,
    previousStatus: row.previous_status,
    previousAttemptStartedAt: row.previous_attempt_started_at,
    content: row.content,
    encryptedCredentials: row.encrypted_credentials,
  };
}
