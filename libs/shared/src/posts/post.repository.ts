import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '../database/sql-rows.js';
import type { PlatformName } from '../platforms/platform-name.js';
import type { PostStatus, TargetStatus } from './post-status.js';
import { refreshPostStatus } from './post-target.repository.js';

export interface TargetView {
  id: string;
  accountId: string;
  platform: PlatformName;
  status: TargetStatus;
  attempts: number;
  platformPostId: string | null;
  url: string | null;
  error: string | null;
  publishedAt: Date | null;
  nextAttemptAt: Date;
}

export interface PostView {
  id: string;
  workspaceId: string;
  content: string;
  publishAt: Date;
  status: PostStatus;
  createdAt: Date;
  updatedAt: Date;
  targets: TargetView[];
}

export interface NewPost {
  workspaceId: string;
  content: string;
  publishAt: Date;
  targets: { accountId: string; platform: PlatformName }[];
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
  content: string;
  publish_at: Date;
  status: PostStatus;
  created_at: Date;
  updated_at: Date;
}

interface TargetRow {
  id: string;
  post_id: string;
  account_id: string;
  platform: PlatformName;
  status: TargetStatus;
  attempts: number;
  platform_post_id: string | null;
  url: string | null;
  last_error: string | null;
  published_at: Date | null;
  next_attempt_at: Date;
}

/** Posts and their targets as the API sees them. Target state changes of workers live in PostTargetRepository. */
@Injectable()
export class PostRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Saves a post and one target per account atomically: either the whole post exists or none of it. */
  async create(post: NewPost): Promise<PostView> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = await sqlRows<PostRow>(
        manager,
        `INSERT INTO posts (workspace_id, content, publish_at, status) VALUES ($1, $2, $3, 'scheduled') RETURNING *`,
        [post.workspaceId, post.content, post.publishAt],
      );
      await manager.query(
        `INSERT INTO post_targets (post_id, account_id, platform, status, next_attempt_at)
         SELECT $1, account_id, platform, 'scheduled', $2
           FROM unnest($3::uuid[], $4::text[]) AS t(account_id, platform)`,
        [row.id, post.publishAt, post.targets.map((t) => t.accountId), post.targets.map((t) => t.platform)],
      );
      return (await this.withTargets(manager, [row]))[0];
    });
  }

  async findOne(workspaceId: string, postId: string): Promise<PostView | null> {
    const rows = await sqlRows<PostRow>(
      this.dataSource.manager,
      `SELECT * FROM posts WHERE id = $1 AND workspace_id = $2`,
      [postId, workspaceId],
    );
    return (await this.withTargets(this.dataSource.manager, rows))[0] ?? null;
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
      publishAt: row.publish_at,
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

  async updatePost(changes: { content?: string; publishAt?: Date }): Promise<void> {
    await this.manager.query(
      `UPDATE posts SET content = COALESCE($2, content), publish_at = COALESCE($3, publish_at), updated_at = now()
        WHERE id = $1`,
      [this.postId, changes.content ?? null, changes.publishAt ?? null],
    );
  }

  /** Puts the given pending targets back to `scheduled` for the given time. */
  async rescheduleTargets(targetIds: string[], nextAttemptAt: Date): Promise<void> {
    await this.manager.query(
      `UPDATE post_targets SET status = 'scheduled', next_attempt_at = $3, updated_at = now()
        WHERE post_id = $1 AND id = ANY($2::uuid[])`,
      [this.postId, targetIds, nextAttemptAt],
    );
  }

  async cancelTargets(targetIds: string[]): Promise<void> {
    await this.manager.query(
      `UPDATE post_targets SET status = 'cancelled', lease_expires_at = NULL, updated_at = now()
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
    status: row.status,
    attempts: row.attempts,
    platformPostId: row.platform_post_id,
    url: row.url,
    error: row.last_error,
    publishedAt: row.published_at,
    nextAttemptAt: row.next_attempt_at,
  };
}
