import { Injectable } from '@nestjs/common';
import { sqlRows } from '../database/sql-rows.js';
import type { Tx } from '../database/transaction-runner.js';

/** Longest comment accepted (the table's CHECK says the same). */
export const MAX_COMMENT_LENGTH = 5000;

/** One comment of a post's internal discussion: who wrote it (user or API key), when, and what. */
export interface PostComment {
  id: string;
  postId: string;
  author: { type: 'user' | 'api_key'; id: string; label: string };
  text: string;
  createdAt: Date;
}

interface CommentRow {
  id: string;
  post_id: string;
  author_type: 'user' | 'api_key';
  author_id: string;
  author_label: string;
  text: string;
  created_at: Date;
}

const toComment = (row: CommentRow): PostComment => ({
  id: row.id,
  postId: row.post_id,
  author: { type: row.author_type, id: row.author_id, label: row.author_label },
  text: row.text,
  createdAt: row.created_at,
});

/** Comments on posts (table `post_comments`), oldest first. */
@Injectable()
export class PostCommentRepository {
  /** The post's comments, oldest first; null when the workspace has no such post. One statement either way. */
  async findForPost(tx: Tx, workspaceId: string, postId: string): Promise<PostComment[] | null> {
    const rows = await sqlRows<CommentRow & { id: string | null }>(
      tx,
      `SELECT c.* FROM posts p LEFT JOIN post_comments c ON c.post_id = p.id
        WHERE p.id = $1 AND p.workspace_id = $2
        ORDER BY c.created_at, c.id`,
      [postId, workspaceId],
    );
    if (rows.length === 0) return null;
    return rows.filter((row) => row.id !== null).map(toComment);
  }

  /** Adds a comment to the workspace's post; null (nothing written) when there is no such post. */
  async add(
    tx: Tx,
    workspaceId: string,
    comment: { postId: string; author: PostComment['author']; text: string },
  ): Promise<PostComment | null> {
    const [row] = await sqlRows<CommentRow>(
      tx,
      `INSERT INTO post_comments (workspace_id, post_id, author_type, author_id, author_label, text)
       SELECT p.workspace_id, p.id, $3, $4, $5, $6 FROM posts p WHERE p.id = $1 AND p.workspace_id = $2
       RETURNING *`,
      [comment.postId, workspaceId, comment.author.type, comment.author.id, comment.author.label, comment.text],
    );
    return row ? toComment(row) : null;
  }
}
