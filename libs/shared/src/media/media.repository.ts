import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlRows } from '../database/sql-rows.js';
import type { Tx } from '../database/transaction-runner.js';

/** One stored image (table `media`). */
export interface MediaRecord {
  id: string;
  workspaceId: string;
  storageKey: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  sourceUrl: string | null;
  createdAt: Date;
}

interface MediaRow {
  id: string;
  workspace_id: string;
  storage_key: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  source_url: string | null;
  created_at: Date;
}

/** No post names the media row `media` in its images. */
const UNREFERENCED = `NOT EXISTS (
  SELECT 1 FROM posts WHERE posts.media @> jsonb_build_array(jsonb_build_object('mediaId', media.id::text))
)`;

const COLUMNS = 'id, workspace_id, storage_key, mime_type, size_bytes, sha256, source_url, created_at';

const toRecord = (row: MediaRow): MediaRecord => ({
  id: row.id,
  workspaceId: row.workspace_id,
  storageKey: row.storage_key,
  mimeType: row.mime_type,
  sizeBytes: row.size_bytes,
  sha256: row.sha256,
  sourceUrl: row.source_url,
  createdAt: row.created_at,
});

@Injectable()
export class MediaRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: Tx, media: Omit<MediaRecord, 'createdAt'>): Promise<MediaRecord> {
    const [row] = await sqlRows<MediaRow>(
      tx,
      `INSERT INTO media (id, workspace_id, storage_key, mime_type, size_bytes, sha256, source_url)
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [media.id, media.workspaceId, media.storageKey, media.mimeType, media.sizeBytes, media.sha256, media.sourceUrl],
    );
    return toRecord(row);
  }

  async findOne(tx: Tx, workspaceId: string, id: string): Promise<MediaRecord | null> {
    const [media] = await this.findManyInWorkspace(tx, workspaceId, [id]);
    return media ?? null;
  }

  /**
   * The media behind a signed link, whichever workspace it belongs to: the link is the authority, checked
   * before. Through a SECURITY DEFINER function, as the API role cannot see outside a workspace.
   */
  async findForSignedLink(id: string): Promise<MediaRecord | null> {
    const [row] = await sqlRows<MediaRow>(this.dataSource.manager, `SELECT ${COLUMNS} FROM media_for_signed_link($1)`, [
      id,
    ]);
    return row ? toRecord(row) : null;
  }

  /** The media of `ids` that exist, in any workspace (for the worker, which holds ids from a post). */
  async findByIds(ids: string[]): Promise<MediaRecord[]> {
    if (ids.length === 0) return [];
    const rows = await sqlRows<MediaRow>(
      this.dataSource.manager,
      `SELECT ${COLUMNS} FROM media WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map(toRecord);
  }

  /** The media of `ids` that exist in this workspace. */
  async findManyInWorkspace(tx: Tx, workspaceId: string, ids: string[]): Promise<MediaRecord[]> {
    if (ids.length === 0) return [];
    const rows = await sqlRows<MediaRow>(
      tx,
      `SELECT ${COLUMNS} FROM media WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
      [workspaceId, ids],
    );
    return rows.map(toRecord);
  }

  /**
   * Removes up to `limit` media created more than 24 hours before `now` that no post references, and
   * returns their storage keys (the files are the caller's to delete). Rows another sweep is deleting
   * are skipped, and the check and the delete are one statement.
   */
  async deleteUnreferenced(now: Date, limit: number): Promise<string[]> {
    const rows = await sqlRows<{ storage_key: string }>(
      this.dataSource.manager,
      `DELETE FROM media WHERE id IN (
         SELECT id FROM media
          WHERE created_at < $1::timestamptz - interval '24 hours'
            AND ${UNREFERENCED}
          ORDER BY created_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED
       ) RETURNING storage_key`,
      [now, limit],
    );
    return rows.map((row) => row.storage_key);
  }

  /** Removes the media of `ids` in this workspace that no post references; returns their storage keys. */
  async deleteUnreferencedByIds(tx: Tx, workspaceId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await sqlRows<{ storage_key: string }>(
      tx,
      `DELETE FROM media WHERE workspace_id = $1 AND id = ANY($2::uuid[]) AND ${UNREFERENCED} RETURNING storage_key`,
      [workspaceId, ids],
    );
    return rows.map((row) => row.storage_key);
  }
}
