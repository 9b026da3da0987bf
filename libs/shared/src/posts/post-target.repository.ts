import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AccountStatus } from '../accounts/social-account.js';
import { preparedRows, sqlRows, type SqlQuery } from '../database/sql-rows.js';
import { TransactionRunner, type Tx } from '../database/transaction-runner.js';
import type { EventType } from '../events/event.js';
import { appendEventsFrom } from '../events/event.repository.js';
import type { PlatformName } from '../platforms/platform-name.js';
import type { PublishedPost } from '../platforms/platform-provider.js';
import {
  awaitingAttempt,
  dueBetween,
  holdingLease,
  isClaimable,
  isDue,
  notPaused,
  reclaimable,
} from './post-target.conditions.js';
import { IN_REVIEW_TARGET_STATUSES, PENDING_TARGET_STATUSES, type TargetStatus } from './post-status.js';
import type {
  AttemptRecord,
  ClaimedTarget,
  DueCursor,
  DueTarget,
  NewTarget,
  UnclaimableTarget,
} from './post-target.js';
import {
  PostRepository,
  refreshStatusAfter,
  toTargetView,
  type PostMediaRef,
  type TargetRow,
  type TargetView,
} from './post.repository.js';

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

const NO_CURSOR: DueCursor = { dueAt: new Date(0), id: '00000000-0000-0000-0000-000000000000' };

/**
 * The scheduler's due scan: due targets, oldest first, in pages. Keyset pagination on the partial
 * index `post_targets_due_idx` (whose WHERE is `awaitingAttempt`), so the scan never touches future
 * or settled targets. Exported so the plan test EXPLAINs exactly this.
 */
export const dueTargetsQuery = (limit: number, after: DueCursor = NO_CURSOR): SqlQuery =>
  keysetScan('next_attempt_at', isDue('t'), limit, after);

/** Targets due after `from` and by `until`, through `post_targets_due_idx` like the due scan. */
export const dueBetweenQuery = (from: Date, until: Date, limit: number, after: DueCursor = NO_CURSOR): SqlQuery =>
  keysetScan('next_attempt_at', dueBetween('t', '$4::timestamptz', '$5::timestamptz'), limit, after, [from, until]);

/**
 * Targets whose worker died mid-publish, through `post_targets_lease_idx` (WHERE `holdingLease`);
 * not those a pause holds (their jobs wait for it).
 */
export const expiredLeasesQuery = (limit: number, after: DueCursor = NO_CURSOR): SqlQuery =>
  keysetScan('lease_expires_at', reclaimable('t'), limit, after);

/**
 * A job that finds its target paused looks again after this long. The pause has no end time, so this
 * is a backstop: on resume, the scheduler's next pass finds the target due and runs its job at once.
 */
export const PAUSED_RECHECK_SECONDS = 300;

/** `condition` may use parameters from $4 on, given in `extra`. */
function keysetScan(
  column: 'next_attempt_at' | 'lease_expires_at',
  condition: string,
  limit: number,
  after: DueCursor,
  extra: unknown[] = [],
): SqlQuery {
  return {
    text: `SELECT id, status, ${column} AS due_at FROM post_targets t
            WHERE ${condition} AND (${column}, id) > ($1::timestamptz, $2::uuid)
            ORDER BY ${column}, id
            LIMIT $3`,
    values: [after.dueAt, after.id, limit, ...extra],
  };
}

/**
 * Publish targets (table `post_targets`) and their history (`publish_attempts`). Every change of a
 * target's status runs under the lock of the target's post, taken by PostRepository, and recomputes
 * the post's status before the lock is released (see PostRepository.whileTargetsChange). A worker's
 * claim and record take two statements each: the lock, then one statement that changes the target,
 * writes its history, recomputes the post's status (refreshStatusAfter) and, for an outcome, appends
 * its event to the outbox (appendEventsFrom).
 */
@Injectable()
export class PostTargetRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly posts: PostRepository,
  ) {}

  /**
   * Adds the targets of a post just inserted in `tx`, due at `dueAt`, and returns them in order:
   * `scheduled`, or `pending_approval` (with no next attempt: nothing may claim them).
   */
  async insertForPost(
    tx: Tx,
    postId: string,
    dueAt: Date,
    targets: NewTarget[],
    status: 'scheduled' | 'pending_approval' = 'scheduled',
  ): Promise<TargetView[]> {
    const rows = await preparedRows<TargetRow>(
      tx,
      `WITH inserted AS (
         INSERT INTO post_targets (post_id, account_id, platform, content, status, due_at, next_attempt_at)
         SELECT $1, account_id, platform, content, $6, $2, CASE WHEN $6 = 'scheduled' THEN $2::timestamptz END
           FROM unnest($3::uuid[], $4::text[], $5::text[]) AS t(account_id, platform, content)
         RETURNING *
       )
       SELECT * FROM inserted ORDER BY created_at, id`,
      [
        postId,
        dueAt,
        targets.map((target) => target.accountId),
        targets.map((target) => target.platform),
        targets.map((target) => target.content),
        status,
      ],
    );
    return rows.map(toTargetView);
  }

  /** Puts pending targets of a post locked by PostRepository.withLockedPost back to `scheduled` for `dueAt`. */
  async reschedule(tx: Tx, postId: string, targetIds: string[], dueAt: Date): Promise<void> {
    await tx.query(
      `UPDATE post_targets SET status = 'scheduled', due_at = $3, next_attempt_at = $3, updated_at = now()
        WHERE post_id = $1 AND id = ANY($2::uuid[])`,
      [postId, targetIds, dueAt],
    );
  }

  /**
   * Sends targets of a locked post (back) for approval: no next attempt, so no worker claims them
   * whatever job Redis still holds. Approving schedules them for the post's time (see reschedule).
   */
  async submitForApproval(tx: Tx, postId: string, targetIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE post_targets SET status = 'pending_approval', next_attempt_at = NULL, updated_at = now()
        WHERE post_id = $1 AND id = ANY($2::uuid[])`,
      [postId, targetIds],
    );
  }

  /** Refuses targets of a locked post waiting for approval: they will never be published. */
  async reject(tx: Tx, postId: string, targetIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE post_targets SET status = 'rejected', next_attempt_at = NULL, updated_at = now()
        WHERE post_id = $1 AND id = ANY($2::uuid[])`,
      [postId, targetIds],
    );
  }

  /** Starts settled targets of a locked post over, due now, with a fresh attempt budget (their history stays). */
  async restart(tx: Tx, postId: string, targetIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE post_targets
          SET status = 'scheduled', due_at = now(), next_attempt_at = now(), attempts = 0, last_error = NULL,
              updated_at = now()
        WHERE post_id = $1 AND id = ANY($2::uuid[])`,
      [postId, targetIds],
    );
  }

  /** Cancels targets of a locked post. */
  async cancel(tx: Tx, postId: string, targetIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE post_targets SET status = 'cancelled', lease_expires_at = NULL, next_attempt_at = NULL, updated_at = now()
        WHERE post_id = $1 AND id = ANY($2::uuid[])`,
      [postId, targetIds],
    );
  }

  /** Cancels the targets of a deleted account that were still waiting to be published: it must never publish. */
  async cancelPendingOfDeletedAccount(tx: Tx, accountId: string): Promise<void> {
    const pending = [...PENDING_TARGET_STATUSES, ...IN_REVIEW_TARGET_STATUSES];
    const posts = await sqlRows<{ post_id: string }>(
      tx,
      `SELECT DISTINCT post_id FROM post_targets WHERE account_id = $1 AND status = ANY($2::text[])`,
      [accountId, pending],
    );
    await this.posts.whileTargetsChange(
      tx,
      posts.map((post) => post.post_id),
      () =>
        tx.query(
          `UPDATE post_targets SET status = 'cancelled', last_error = 'account deleted', updated_at = now()
            WHERE account_id = $1 AND status = ANY($2::text[])`,
          [accountId, pending],
        ),
    );
  }

  /**
   * Takes ownership of a target for one attempt. Succeeds only for a target that is due (to publish,
   * retry or reconcile) and whose account is not rate-limited, or whose previous owner's lease has
   * lapsed. So two workers holding duplicate jobs for one target never both publish it, and a
   * rescheduled, cancelled or rate-limited target is left alone.
   */
  async claim(targetId: string, leaseSeconds: number): Promise<ClaimedTarget | null> {
    return this.withPostLocked(targetId, async (tx) => {
      const [row] = await preparedRows<ClaimRow>(
        tx,
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
            WHERE t.id = previous.id AND ${isClaimable('t')}
           RETURNING t.*, previous.status AS previous_status, previous.attempt_started_at AS previous_attempt_started_at
         ),
         post_status AS (${refreshStatusAfter('claimed')})
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

  /**
   * For a target that could not be claimed: its state, and when a job for it should look again (a
   * paused one: not before PAUSED_RECHECK_SECONDS, its job is parked unchanged rather than failed).
   */
  async whyUnclaimable(targetId: string): Promise<UnclaimableTarget | null> {
    const [row] = await sqlRows<{ status: TargetStatus; retry_at: Date | null }>(
      this.dataSource.manager,
      `SELECT w.status, CASE WHEN w.retry_at IS NOT NULL AND w.paused
                             THEN greatest(w.retry_at, now() + make_interval(secs => $2)) ELSE w.retry_at END AS retry_at
         FROM (SELECT t.status, NOT ${notPaused('t')} AS paused,
                      CASE WHEN ${holdingLease('t')} THEN t.lease_expires_at
                           WHEN ${awaitingAttempt('t')} THEN greatest(t.next_attempt_at, a.rate_limited_until) END AS retry_at
                 FROM post_targets t JOIN social_accounts a ON a.id = t.account_id
                WHERE t.id = $1) w`,
      [targetId, PAUSED_RECHECK_SECONDS],
    );
    return row ? { status: row.status, retryAt: row.retry_at } : null;
  }

  /** Every part is on the platform (`parts[0]` is the post, the rest its thread): the target is published. */
  async markPublished(
    claim: ClaimedTarget,
    parts: PublishedPost[],
    outcome: 'published' | 'recovered',
  ): Promise<boolean> {
    return this.finishAttempt(
      claim,
      { outcome },
      'target.published',
      `status = 'published', platform_post_id = $3, url = $4, published_parts = $5::jsonb, published_at = now(),
       last_error = NULL, next_attempt_at = NULL`,
      [parts[0].platformPostId, parts[0].url, JSON.stringify(parts)],
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

  /**
   * Gives a claimed target back untried: publishing it now would go over a platform's limit. It is
   * as it was before the claim (status, attempt count and, after a lapsed lease, when that attempt
   * started, which bounds the search for what it may have published), and due again at `until`;
   * nothing is added to its history. False if the claim was lost.
   */
  async release(claim: ClaimedTarget, until: Date): Promise<boolean> {
    return this.withPostLocked(claim.id, async (tx) => {
      const updated = await sqlRows<{ id: string }>(
        tx,
        `UPDATE post_targets
            SET status = $3, attempts = attempts - 1,
                next_attempt_at = CASE WHEN $3 = 'publishing' THEN next_attempt_at ELSE $4 END,
                lease_expires_at = CASE WHEN $3 = 'publishing' THEN $4 END,
                updated_at = CASE WHEN $3 = 'publishing' THEN $5 ELSE now() END
          WHERE id = $1 AND status = 'publishing' AND attempts = $2
          RETURNING id`,
        [claim.id, claim.attempt, claim.previousStatus, until, claim.previousAttemptStartedAt],
      );
      return updated.length === 1;
    });
  }

  /** The post certainly did not land: try again at `retryAt`. */
  async markForRetry(claim: ClaimedTarget, record: AttemptRecord, retryAt: Date): Promise<boolean> {
    return this.finishAttempt(claim, record, null, `status = 'queued', last_error = $3, next_attempt_at = $4`, [
      record.error ?? null,
      retryAt,
    ]);
  }

  /**
   * The post may have landed. With `reconcileAt`, a worker looks on the platform then; without,
   * nobody can tell and the target stays `unknown` for a person to decide (never re-posted blindly):
   * only then is `target.unknown` reported.
   */
  async markUnknown(claim: ClaimedTarget, record: AttemptRecord, reconcileAt: Date | null): Promise<boolean> {
    return this.finishAttempt(
      claim,
      record,
      reconcileAt ? null : 'target.unknown',
      `status = 'unknown', last_error = $3, next_attempt_at = $4`,
      [record.error ?? null, reconcileAt],
    );
  }

  async markFailed(claim: ClaimedTarget, record: AttemptRecord): Promise<boolean> {
    return this.finishAttempt(
      claim,
      record,
      'target.failed',
      `status = 'failed', last_error = $3, next_attempt_at = NULL`,
      [record.error ?? null],
    );
  }

  async markMissed(claim: ClaimedTarget, record: AttemptRecord): Promise<boolean> {
    return this.finishAttempt(
      claim,
      record,
      'target.missed',
      `status = 'missed', last_error = $3, next_attempt_at = NULL`,
      [record.error ?? null],
    );
  }

  /** Due targets for the scheduler, oldest first, a page at a time (see dueTargetsQuery). */
  async findDue(limit: number, after?: DueCursor): Promise<DueTarget[]> {
    return this.scan(dueTargetsQuery(limit, after));
  }

  /** Targets due after `from` and by `until`, soonest first, a page at a time (see dueBetweenQuery). */
  async findDueBetween(from: Date, until: Date, limit: number, after?: DueCursor): Promise<DueTarget[]> {
    return this.scan(dueBetweenQuery(from, until, limit, after));
  }

  /** Those of `targetIds` still waiting for an attempt, with the time of that attempt. */
  async findAwaiting(targetIds: string[]): Promise<DueTarget[]> {
    return this.scan({
      text: `SELECT id, status, next_attempt_at AS due_at FROM post_targets t
              WHERE t.id = ANY($1::uuid[]) AND ${awaitingAttempt('t')} AND t.next_attempt_at IS NOT NULL`,
      values: [targetIds],
    });
  }

  /** Targets whose worker died mid-publish (lease lapsed), a page at a time. */
  async findExpiredLeases(limit: number, after?: DueCursor): Promise<DueTarget[]> {
    return this.scan(expiredLeasesQuery(limit, after));
  }

  /** The workspace of each target, in the order given (for ranking the scheduler's pass per workspace). */
  async workspacesOf(targetIds: string[]): Promise<string[]> {
    const rows = await sqlRows<{ id: string; workspace_id: string }>(
      this.dataSource.manager,
      `SELECT t.id, p.workspace_id FROM post_targets t JOIN posts p ON p.id = t.post_id WHERE t.id = ANY($1::uuid[])`,
      [targetIds],
    );
    const workspaces = new Map(rows.map((row) => [row.id, row.workspace_id]));
    // A target deleted since the scan has no workspace: it ranks on its own, and its job does nothing.
    return targetIds.map((id) => workspaces.get(id) ?? id);
  }

  /** Marks scheduled targets as queued once the scheduler has made sure they have a job. */
  async markQueued(targetIds: string[]): Promise<void> {
    if (targetIds.length === 0) return;
    await this.transactions.run(async (tx) => {
      const posts = await sqlRows<{ post_id: string }>(
        tx,
        `SELECT DISTINCT post_id FROM post_targets WHERE id = ANY($1::uuid[]) AND status = 'scheduled'`,
        [targetIds],
      );
      await this.posts.whileTargetsChange(
        tx,
        posts.map((post) => post.post_id),
        () =>
          tx.query(
            `UPDATE post_targets SET status = 'queued', updated_at = now()
              WHERE id = ANY($1::uuid[]) AND status = 'scheduled'`,
            [targetIds],
          ),
      );
    });
  }

  private async scan(query: SqlQuery): Promise<DueTarget[]> {
    const rows = await sqlRows<{ id: string; status: TargetStatus; due_at: Date }>(
      this.dataSource.manager,
      query.text,
      query.values,
    );
    return rows.map((row) => ({ id: row.id, status: row.status, dueAt: row.due_at }));
  }

  /**
   * Records how the claimed attempt ended, in the target and in its history, and appends `event` (the
   * target's outcome, for the outbox) in the same statement. Fenced by the attempt number: a worker
   * whose lease was taken over cannot overwrite its successor's result, nor report it.
   */
  private async finishAttempt(
    claim: ClaimedTarget,
    record: AttemptRecord,
    event: EventType | null,
    assignments: string,
    values: unknown[],
  ): Promise<boolean> {
    const next = values.length + 3;
    const outcomeEvent = event
      ? `, event AS (${appendEventsFrom(
          event,
          `SELECT p.workspace_id,
                  jsonb_strip_nulls(jsonb_build_object(
                    'postId', f.post_id, 'targetId', f.id, 'accountId', f.account_id, 'platform', f.platform,
                    'attempt', $2::int, 'message', f.last_error, 'statusCode', $${next + 3}::int,
                    'platformPostId', f.platform_post_id, 'url', f.url)) AS data
             FROM finished f JOIN posts p ON p.id = f.post_id`,
        )})`
      : '';
    return this.withPostLocked(claim.id, async (tx) => {
      const finished = await preparedRows<{ id: string }>(
        tx,
        `WITH finished AS (
           UPDATE post_targets SET ${assignments}, lease_expires_at = NULL, updated_at = now()
            WHERE id = $1 AND status = 'publishing' AND attempts = $2
           RETURNING id, post_id, status, account_id, platform, last_error, platform_post_id, url
         ),
         attempt AS (
           INSERT INTO publish_attempts (target_id, attempt, started_at, outcome, error, status_code)
           SELECT id, $2, $${next}, $${next + 1}, $${next + 2}, $${next + 3} FROM finished
         ),
         post_status AS (${refreshStatusAfter('finished')})${outcomeEvent}
         SELECT id FROM finished`,
        [
          claim.id,
          claim.attempt,
          ...values,
          claim.claimedAt,
          record.outcome,
          record.error ?? null,
          record.statusCode ?? null,
        ],
      );
      return finished.length === 1;
    });
  }

  /**
   * Runs `change` in a transaction holding the lock of the target's post; `change` recomputes the
   * post's status in the statement that changes the target (refreshStatusAfter).
   */
  private async withPostLocked<T>(targetId: string, change: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transactions.run(async (tx) => {
      await this.posts.lockPostOfTarget(tx, targetId);
      return change(tx);
    });
  }
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
