import { MigrationInterface, QueryRunner } from 'typeorm';

/** Media, threads and per-account content for posts; expiring credentials and identities for accounts. */
export class MediaThreadsConnections1763850000000 implements MigrationInterface {
  name = 'MediaThreadsConnections1763850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE media (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        storage_key text NOT NULL,
        -- Sniffed from the bytes, never taken from the client.
        mime_type text NOT NULL,
        size_bytes integer NOT NULL CHECK (size_bytes > 0),
        sha256 text NOT NULL,
        -- Where a remote file was fetched from (null for uploads).
        source_url text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX media_workspace_idx ON media (workspace_id, created_at)`);

    // [{ "mediaId": uuid, "altText": string | null }], in order.
    await queryRunner.query(`ALTER TABLE posts ADD COLUMN media jsonb NOT NULL DEFAULT '[]'`);
    // The later posts of a thread, after content.
    await queryRunner.query(`ALTER TABLE posts ADD COLUMN thread text[] NOT NULL DEFAULT '{}'`);

    // This account's own text, replacing the post's content.
    await queryRunner.query(`ALTER TABLE post_targets ADD COLUMN content text`);
    // The parts of a thread already on the platform ([{ platformPostId, url, ref }]): a retry goes on from there.
    await queryRunner.query(`ALTER TABLE post_targets ADD COLUMN published_parts jsonb NOT NULL DEFAULT '[]'`);

    await queryRunner.query(`ALTER TABLE social_accounts ADD COLUMN external_id text`);
    // When the scheduler renews the credentials (before they expire); null: they do not expire.
    await queryRunner.query(`ALTER TABLE social_accounts ADD COLUMN renew_at timestamptz`);
    // Why the account needs reconnecting.
    await queryRunner.query(`ALTER TABLE social_accounts ADD COLUMN status_reason text`);
    await queryRunner.query(
      `CREATE INDEX social_accounts_renew_idx ON social_accounts (renew_at)
        WHERE renew_at IS NOT NULL AND status = 'active' AND deleted_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX social_accounts_renew_idx`);
    await queryRunner.query(
      `ALTER TABLE social_accounts DROP COLUMN status_reason, DROP COLUMN renew_at, DROP COLUMN external_id`,
    );
    await queryRunner.query(`ALTER TABLE post_targets DROP COLUMN published_parts, DROP COLUMN content`);
    await queryRunner.query(`ALTER TABLE posts DROP COLUMN thread, DROP COLUMN media`);
    await queryRunner.query(`DROP TABLE media`);
  }
}
