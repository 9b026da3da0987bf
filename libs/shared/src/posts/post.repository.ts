import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '../database/sql-rows.js';
import type { PlatformName } from '../platforms/platform-name.js';
import type { PostStatus, TargetStatus } from './post-status.js';
import { refreshPostStatus, type AttemptOutcome } from './post-target.repository.js';

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

export interface PostView {
  id: string;
  workspaceId: string;
  content: string;
  media: PostMediaRef[];
  thread: string[];
  publishAt: Date;
  maxLatenessSeconds: number;
  status: PostStatus;
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
  /** `content`: the account's own text, or null for the post's. */
  targets: { accountId: string; platform: PlatformName; content: string | null }[];
}

/** An `Idempotency-Key` of `POST /v1/posts`: the key, a hash of the request, and the response to keep. */
export interface IdempotentRequest {
  key: string;
  requestHash: string;
  respond(post: PostView): unknown;
}

export type CreateResult = { created: PostView } | { replayed: { requestHash: string; response: unknown } };

export interface PostPageQuery {
  workspaceId: string;
  status?: PostStatus;
  limit: number;
  after?: { createdAt: Date; id: string };
}

interface PostRow {
  id: string;
  workspace_id: string;
  content: string;
  media: PostMediaRef[];
  thread: string[];
  publish_at: Date;
  max_lateness_seconds: number;
  status: PostStatus;
  created_at: Date;
  updated_at: Date;
}

interface TargetRow {
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

/** Posts and their targets as the API sees them. Target state changes of workers live in PostTargetRepository. */
@Injectable()
export class PostRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Saves a post and one target per account atomically: either the whole post exists or none of it.
   * With an idempotency key, the key is claimed in the same transaction: a concurrent request with the
   * same key waits for this one, then finds the key taken and gets the stored response instead.
   */
  async create(post: NewPost, idempotency?: IdempotentRequest): Promise<CreateResult> {
    return this.dataSource.transaction(async (manager) => {
      if (idempotency) {
        const replayed = await this.claimIdempotencyKey(manager, post.workspaceId, idempotency);
        if (replayed) return { replayed };
      }
      const [row] = await sqlRows<PostRow>(
        manager,
        `INSERT INTO posts (workspace_id, content, media, thread, publish_at, max_lateness_seconds, status)
         SELECT $1, $2, $3::jsonb, $4::text[], $5, coalesce($6, w.default_max_lateness_seconds), 'scheduled'
           FROM workspaces w WHERE w.id = $1
         RETURNING *`,
        [
          post.workspaceId,
          post.content,
          JSON.stringify(post.media),
          post.thread,
          post.publishAt,
          post.maxLatenessSeconds ?? null,
        ],
      );
      await manager.query(
        `INSERT INTO post_targets (post_id, account_id, platform, content, status, due_at, next_attempt_at)
         SELECT $1, account_id, platform, content, 'scheduled', $2, $2
           FROM unnest($3::uuid[], $4::text[], $5::text[]) AS t(account_id, platform, content)`,
        [
          row.id,
          post.publishAt,
          post.targets.map((t) => t.accountId),
          post.targets.map((t) => t.platform),
          post.targets.map((t) => t.content),
        ],
      );
      const [created] = await this.withTargets(manager, [row]);
      if (idempotency) {
        await manager.query(`UPDATE idempotency_keys SET response = $3 WHERE workspace_id = $1 AND key = $2`, [
          post.workspaceId,
          idempotency.key,
          JSON.stringify(idempotency.respond(created)),
        ]);
      }
      return { created };
    });
  }

  /**
   * What an earlier request with this Idempotency-Key answered, if it has finished (keys last 24
   * hours). Checked before any work; `create` claims the key for good, so concurrent requests stay safe.
   */
  async findIdempotentResponse(
    workspaceId: string,
    key: string,
  ): Promise<{ requestHash: string; response: unknown } | null> {
    const [row] = await sqlRows<{ request_hash: string; response: unknown }>(
      this.dataSource.manager,
      `SELECT request_hash, response FROM idempotency_keys
        WHERE workspace_id = $1 AND key = $2 AND created_at >= now() - interval '24 hours' AND response <> 'null'::jsonb`,
      [workspaceId, key],
    );
    return row ? { requestHash: row.request_hash, response: row.response } : null;
  }

  /** Takes the key for this request, or returns what the earlier request with it stored (keys last 24 hours). */
  private async claimIdempotencyKey(
    manager: EntityManager,
    workspaceId: string,
    request: IdempotentRequest,
  ): Promise<{ requestHash: string; response: unknown } | null> {
    await manager.query(
      `DELETE FROM idempotency_keys WHERE workspace_id = $1 AND key = $2 AND created_at < now() - interval '24 hours'`,
      [workspaceId, request.key],
    );
    const inserted = await sqlRows<{ key: string }>(
      manager,
      `INSERT INTO idempotency_keys (workspace_id, key, request_hash, response) VALUES ($1, $2, $3, 'null'::jsonb)
       ON CONFLICT DO NOTHING RETURNING key`,
      [workspaceId, request.key, request.requestHash],
    );
    if (inserted.length === 1) return null;
    const [existing] = await sqlRows<{ request_hash: string; response: unknown }>(
      manager,
      `SELECT request_hash, response FROM idempotency_keys WHERE workspace_id = $1 AND key = $2`,
      [workspaceId, request.key],
    );
    return { requestHash: existing.request_hash, response: existing.response };
  }

  async findOne(workspaceId: string, postId: string): Promise<PostView | null> {
    const rows = await sqlRows<PostRow>(
      this.dataSource.manager,
      `SELECT * FROM posts WHERE id = $1 AND workspace_id = $2`,
      [postId, workspaceId],
    );
    const [post] = await this.withTargets(this.dataSource.manager, rows);
    if (!post) return null;
    const attempts = await sqlRows<AttemptRow>(
      this.dataSource.manager,
      `SELECT * FROM publish_attempts WHERE target_id = ANY($1::uuid[]) ORDER BY attempt, id`,
      [post.targets.map((target) => target.id)],
    );
    for (const target of post.targets) {
      target.history = attempts.filter((attempt) => attempt.target_id === target.id).map(toAttemptView);
    }
    return post;
  }

  /** Newest first, keyset-paginated on (created_at, id) through the workspace list indexes. */
  async findPage(query: PostPageQuery): Promise<PostView[]> {
    const rows = await sqlRows<PostRow>(
      this.dataSource.manager,
      `SELECT * FROM posts
        WHERE workspace_id = $1
          AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $5`,
      [query.workspaceId, query.status ?? null, query.after?.createdAt ?? null, query.after?.id ?? null, query.limit],
    );
    return this.withTargets(this.dataSource.manager, rows);
  }

  /**
   * Runs `work` with the post row locked (SELECT … FOR UPDATE), so no worker can claim one of its
   * targets while the API decides whether an edit or a cancel is still allowed.
   */
  async withLockedPost<T>(
    workspaceId: string,
    postId: string,
    work: (post: PostView, changes: LockedPostChanges) => Promise<T>,
  ): Promise<T | null> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await sqlRows<PostRow>(
        manager,
        `SELECT * FROM posts WHERE id = $1 AND workspace_id = $2 FOR UPDATE`,
        [postId, workspaceId],
      );
      const [post] = await this.withTargets(manager, rows);
      if (!post) return null;
      const result = await work(post, new LockedPostChanges(manager, postId));
      await refreshPostStatus(manager, postId);
      return result;
    });
  }

  private async withTargets(manager: EntityManager, rows: PostRow[]): Promise<PostView[]> {
    if (rows.length === 0) return [];
    const targets = await sqlRows<TargetRow>(
      manager,
      `SELECT * FROM post_targets WHERE post_id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [rows.map((row) => row.id)],
    );
    return rows.map((row) => ({
      id: row.id,
      workspaceId: row.workspace_id,
      content: row.content,
      media: row.media,
      thread: row.thread,
      publishAt: row.publish_at,
      maxLatenessSeconds: row.max_lateness_seconds,
      status: row.status,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      targets: targets.filter((target) => target.post_id === row.id).map(toTargetView),
    }));
  }
}

/** The writes allowed on a post while {@link PostRepository.withLockedPost} holds its lock. */
export class LockedPostChanges {
  constructor(
    private readonly manager: EntityManager,
    private readonly postId: string,
  ) {}

  async updatePost(changes: { content?: string; publishAt?: Date; maxLatenessSeconds?: number }): Promise<void> {
    await this.manager.query(
      `UPDATE posts SET content = COALESCE($2, content), publish_at = COALESCE($3, publish_at),
                        max_lateness_seconds = COALESCE($4, max_lateness_seconds), updated_at = now()
        WHERE id = $1`,
      [this.postId, changes.content ?? null, changes.publishAt ?? null, changes.maxLatenessSeconds ?? null],
    );
  }

  /** Puts the given pending targets back to `scheduled` for the given time. */
  async rescheduleTargets(targetIds: string[], nextAttemptAt: Date): Promise<void> {
    await this.manager.query(
      `UPDATE post_targets SET status = 'scheduled', due_at = $3, next_attempt_at = $3, updated_at = now()
        WHERE post_id = $1 AND id = ANY($2::uuid[])`,
      [this.postId, targetIds, nextAttemptAt],
    );
  }

  /** Starts settled targets over, due now, with a fresh attempt budget (their history stays). */
  async restartTargets(targetIds: string[]): Promise<void> {
    await this.manager.query(
      `UPDATE post_targets
          SET status = 'scheduled', due_at = now(), next_attempt_at = now(), attempts = 0, last_error = NULL,
              updated_at = now()
        WHERE post_id = $1 AND id = ANY($2::uuid[])`,
      [this.postId, targetIds],
    );
  }

  async cancelTargets(targetIds: string[]): Promise<void> {
    await this.manager.query(
      `UPDATE post_targets SET status = 'cancelled', lease_expires_at = NULL, next_attempt_at = NULL, updated_at = now()
        WHERE post_id = $1 AND id = ANY($2::uuid[])`,
      [this.postId, targetIds],
    );
  }
}

function toTargetView(row: TargetRow): TargetView {
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
