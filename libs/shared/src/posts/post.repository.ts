import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { preparedRows, sqlRows } from '../database/sql-rows.js';
import type { Tx } from '../database/transaction-runner.js';
import type { PlatformName } from '../platforms/platform-name.js';
import { postStatusOf, type PostStatus, type TargetStatus } from './post-status.js';
import type { AttemptOutcome } from './post-target.js';
import type { PublishingPause } from '../pauses/publishing-pause.js';

/** An image of a post, in order, with the alt text given for it. */
export interface PostMediaRef {
  mediaId: string;
  altText: string | null;
}

/** One finished attempt at a target, oldest first. */
export interface AttemptView {
  attempt: number;
  startedAt: Date;
  finishedAt: Date;
  outcome: AttemptOutcome;
  error: string | null;
  statusCode: number | null;
}

export interface TargetView {
  id: string;
  accountId: string;
  platform: PlatformName;
  /** This account's own text, when the post gave one. */
  content: string | null;
  status: TargetStatus;
  attempts: number;
  platformPostId: string | null;
  url: string | null;
  /** Every post of the thread on the platform so far (the first is `platformPostId`). */
  publishedParts: { platformPostId: string; url: string }[];
  error: string | null;
  publishedAt: Date | null;
  dueAt: Date;
  nextAttemptAt: Date | null;
  /** Filled by findOne only (lists leave it empty). */
  history: AttemptView[];
}

/** Why an admin refused a post, who did and when. */
export interface Rejection {
  reason: string;
  /** The admin's email or key name. */
  by: string;
  at: Date;
}

export interface PostView {
  id: string;
  workspaceId: string;
  authorUserId: string | null;
  authorApiKeyId: string | null;
  content: string;
  media: PostMediaRef[];
  thread: string[];
  publishAt: Date;
  maxLatenessSeconds: number;
  status: PostStatus;
  /** Set while the post is `rejected`. */
  rejection: Rejection | null;
  /** The pauses of its workspace (and its accounts) now: see pauseOfTarget. */
  pauses: PublishingPause[];
  createdAt: Date;
  updatedAt: Date;
  targets: TargetView[];
}

export interface NewPost {
  workspaceId: string;
  content: string;
  media: PostMediaRef[];
  thread: string[];
  publishAt: Date;
  /** Omitted: the workspace's default. */
  maxLatenessSeconds?: number;
  /** Who wrote it: a user or an API key (omitted: neither, as for posts made by Herald's own tools). */
  author?: { userId: string | null; apiKeyId: string | null };
  /** Its author's posts need approval when the workspace requires it: it is then saved `pending_approval`. */
  approvalUnlessTrusted?: boolean;
}

export interface PostPageQuery {
  workspaceId: string;
  status?: PostStatus;
  limit: number;
  after?: { createdAt: Date; id: string };
}

interface PostRow {
  id: string;
  workspace_id: string;
  author_user_id: string | null;
  author_api_key_id: string | null;
  content: string;
  media: PostMediaRef[];
  thread: string[];
  publish_at: Date;
  max_lateness_seconds: number;
  status: PostStatus;
  rejection_reason: string | null;
  rejected_by: string | null;
  rejected_at: Date | null;
  pauses: { accountId: string | null; since: string; reason: string | null }[];
  created_at: Date;
  updated_at: Date;
}

/** A post row `p` as read, with the pauses of its workspace (a small table, read through its workspace index). */
const POST_COLUMNS = `p.*, (SELECT coalesce(jsonb_agg(jsonb_build_object('accountId', pp.account_id, 'since', pp.created_at,
                                                                   'reason', pp.reason) ORDER BY pp.created_at), '[]')
                              FROM publishing_pauses pp WHERE pp.workspace_id = p.workspace_id) AS pauses`;

export interface TargetRow {
  id: string;
  post_id: string;
  account_id: string;
  platform: PlatformName;
  content: string | null;
  status: TargetStatus;
  attempts: number;
  platform_post_id: string | null;
  url: string | null;
  published_parts: { platformPostId: string; url: string }[];
  last_error: string | null;
  published_at: Date | null;
  due_at: Date;
  next_attempt_at: Date | null;
}

interface AttemptRow {
  target_id: string;
  attempt: number;
  started_at: Date;
  finished_at: Date;
  outcome: AttemptOutcome;
  error: string | null;
  status_code: number | null;
}

/**
 * Posts (table `posts`), read with their targets as the API sees them. The only writer of `posts`,
 * including the status derived from the targets: every change to a post's targets runs with the post
 * row locked (withLockedPost, whileTargetsChange), which serialises all writers of one post (workers,
 * scheduler, API), so the status is recomputed from a consistent view, and two writers never deadlock
 * (they always lock the post before its targets).
 */
@Injectable()
export class PostRepository {
  /**
   * Saves a new post and returns it: `pending_approval` when the workspace requires approval of its
   * author's posts (read in this statement, so the create path spends no round trip on it), else
   * `scheduled`. Its targets are the caller's to add in `tx`, with the post's status.
   */
  async insert(tx: Tx, post: NewPost): Promise<PostView> {
    const [row] = await preparedRows<PostRow>(
      tx,
      `WITH p AS (
         INSERT INTO posts (workspace_id, content, media, thread, publish_at, max_lateness_seconds, status,
                            author_user_id, author_api_key_id)
         SELECT $1, $2, $3::jsonb, $4::text[], $5, coalesce($6, w.default_max_lateness_seconds),
                CASE WHEN $7 AND w.requires_approval THEN 'pending_approval' ELSE 'scheduled' END, $8, $9
           FROM workspaces w WHERE w.id = $1
         RETURNING *
       )
       SELECT ${POST_COLUMNS} FROM p`,
      [
        post.workspaceId,
        post.content,
        JSON.stringify(post.media),
        post.thread,
        post.publishAt,
        post.maxLatenessSeconds ?? null,
        post.approvalUnlessTrusted ?? false,
        post.author?.userId ?? null,
        post.author?.apiKeyId ?? null,
      ],
    );
    return toPostView(row, []);
  }

  /** The post with its targets and their history. */
  async findOne(tx: Tx, workspaceId: string, postId: string): Promise<PostView | null> {
    const rows = await sqlRows<PostRow>(tx, `SELECT ${POST_COLUMNS} FROM posts p WHERE id = $1 AND workspace_id = $2`, [
      postId,
      workspaceId,
    ]);
    const [post] = await this.withTargets(tx, rows);
    if (!post) return null;
    const attempts = await sqlRows<AttemptRow>(
      tx,
      `SELECT * FROM publish_attempts WHERE target_id = ANY($1::uuid[]) ORDER BY attempt, id`,
      [post.targets.map((target) => target.id)],
    );
    for (const target of post.targets) {
      target.history = attempts.filter((attempt) => attempt.target_id === target.id).map(toAttemptView);
    }
    return post;
  }

  /** Newest first, keyset-paginated on (created_at, id) through the workspace list indexes. */
  async findPage(tx: Tx, query: PostPageQuery): Promise<PostView[]> {
    const rows = await sqlRows<PostRow>(
      tx,
      `SELECT ${POST_COLUMNS} FROM posts p
        WHERE workspace_id = $1
          AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $5`,
      [query.workspaceId, query.status ?? null, query.after?.createdAt ?? null, query.after?.id ?? null, query.limit],
    );
    return this.withTargets(tx, rows);
  }

  /**
   * Runs `work` in `tx` with the post row locked (SELECT … FOR UPDATE), so no worker can claim one of
   * its targets while the API decides whether an edit or a cancel is still allowed; then recomputes the
   * post's status from whatever `work` changed. Null when there is no such post.
   */
  async withLockedPost<T>(
    tx: Tx,
    workspaceId: string,
    postId: string,
    work: (post: PostView) => Promise<T>,
  ): Promise<T | null> {
    const rows = await sqlRows<PostRow>(
      tx,
      `SELECT ${POST_COLUMNS} FROM posts p WHERE id = $1 AND workspace_id = $2 FOR UPDATE OF p`,
      [postId, workspaceId],
    );
    const [post] = await this.withTargets(tx, rows);
    if (!post) return null;
    const result = await work(post);
    await this.refreshStatus(tx, [postId]);
    return result;
  }

  /** Edits a post locked by {@link withLockedPost}. */
  async update(
    tx: Tx,
    postId: string,
    changes: { content?: string; publishAt?: Date; maxLatenessSeconds?: number },
  ): Promise<void> {
    await tx.query(
      `UPDATE posts SET content = COALESCE($2, content), publish_at = COALESCE($3, publish_at),
                        max_lateness_seconds = COALESCE($4, max_lateness_seconds), updated_at = now()
        WHERE id = $1`,
      [postId, changes.content ?? null, changes.publishAt ?? null, changes.maxLatenessSeconds ?? null],
    );
  }

  /** Records why an admin refused a post locked by {@link withLockedPost}, or clears it (null) when it goes back for approval or is approved. */
  async setRejection(tx: Tx, postId: string, rejection: Omit<Rejection, 'at'> | null): Promise<void> {
    await tx.query(
      `UPDATE posts SET rejection_reason = $2, rejected_by = $3, rejected_at = CASE WHEN $2::text IS NULL THEN NULL ELSE now() END,
                        updated_at = now()
        WHERE id = $1`,
      [postId, rejection?.reason ?? null, rejection?.by ?? null],
    );
  }

  /**
   * Locks the posts, runs `change` (a write to their targets) and recomputes each post's status. The
   * posts are locked in id order, so this never deadlocks with another batch or a single-post writer.
   */
  async whileTargetsChange<T>(tx: Tx, postIds: string[], change: () => Promise<T>): Promise<T> {
    await tx.query(`SELECT id FROM posts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [postIds]);
    const result = await change();
    await this.refreshStatus(tx, postIds);
    return result;
  }

  /**
   * Locks the post of a target whose next write recomputes the post's status itself
   * ({@link refreshStatusAfter}). Every writer of a post's targets holds this lock until it commits,
   * so a statement that starts once the lock is granted sees the post's other targets as they are.
   */
  async lockPostOfTarget(tx: Tx, targetId: string): Promise<void> {
    await preparedRows(
      tx,
      `SELECT id FROM posts WHERE id = (SELECT post_id FROM post_targets WHERE id = $1) FOR UPDATE`,
      [targetId],
    );
  }

  /** Recomputes the stored status of posts from their targets, after they changed in `tx` under the posts' locks. */
  private async refreshStatus(tx: Tx, postIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE posts p SET status = s.status, updated_at = now()
         FROM (SELECT id, ${postStatusOf('array(SELECT t.status FROM post_targets t WHERE t.post_id = posts.id)')} AS status
                 FROM posts WHERE id = ANY($1::uuid[])) s
        WHERE p.id = s.id AND p.status <> s.status`,
      [postIds],
    );
  }

  private async withTargets(manager: EntityManager, rows: PostRow[]): Promise<PostView[]> {
    if (rows.length === 0) return [];
    const targets = await sqlRows<TargetRow>(
      manager,
      `SELECT * FROM post_targets WHERE post_id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [rows.map((row) => row.id)],
    );
    return rows.map((row) =>
      toPostView(
        row,
        targets.filter((target) => target.post_id === row.id),
      ),
    );
  }
}

function toPostView(row: PostRow, targets: TargetRow[]): PostView {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    authorUserId: row.author_user_id,
    authorApiKeyId: row.author_api_key_id,
    content: row.content,
    media: row.media,
    thread: row.thread,
    publishAt: row.publish_at,
    maxLatenessSeconds: row.max_lateness_seconds,
    status: row.status,
    rejection:
      row.rejection_reason === null
        ? null
        : { reason: row.rejection_reason, by: row.rejected_by ?? '', at: row.rejected_at ?? row.updated_at },
    pauses: row.pauses.map((pause) => ({
      accountId: pause.accountId,
      since: new Date(pause.since),
      reason: pause.reason,
    })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    targets: targets.map(toTargetView),
  };
}

/** A `post_targets` row as the API shows it (PostTargetRepository returns the targets it inserts so). */
export function toTargetView(row: TargetRow): TargetView {
  return {
    id: row.id,
    accountId: row.account_id,
    platform: row.platform,
    content: row.content,
    status: row.status,
    attempts: row.attempts,
    platformPostId: row.platform_post_id,
    url: row.url,
    publishedParts: row.published_parts.map(({ platformPostId, url }) => ({ platformPostId, url })),
    error: row.last_error,
    publishedAt: row.published_at,
    dueAt: row.due_at,
    nextAttemptAt: row.next_attempt_at,
    history: [],
  };
}

function toAttemptView(row: AttemptRow): AttemptView {
  return {
    attempt: row.attempt,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    error: row.error,
    statusCode: row.status_code,
  };
}

/**
 * The part of a statement that recomputes the status of the post of a target the statement changed
 * earlier: `changed` names a CTE returning that target's (id, post_id, status), one target per post.
 * Every part of a statement sees the tables as they were when it started, so the changed target
 * counts with its new status and the post's other targets as read. For a statement that starts once
 * the post is locked ({@link PostRepository.lockPostOfTarget}): the other targets are then current.
 */
export const refreshStatusAfter = (changed: string): string =>
  `UPDATE posts p SET status = s.status, updated_at = now()
     FROM (SELECT c.post_id,
                  ${postStatusOf('array(SELECT o.status FROM post_targets o WHERE o.post_id = c.post_id AND o.id <> c.id) || c.status')} AS status
             FROM ${changed} c) s
    WHERE p.id = s.post_id AND p.status <> s.status`;
