import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763750000000 implements MigrationInterface {
  name = 'InitialSchema1763750000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE workspaces (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        default_max_lateness_seconds integer NOT NULL DEFAULT 21600 CHECK (default_max_lateness_seconds > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        key_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE social_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        platform text NOT NULL,
        name text NOT NULL,
        encrypted_credentials text,
        status text NOT NULL CHECK (status IN ('active', 'needs_reauth')),
        -- Set from a platform's 429: no target of this account is claimed before then, by any worker.
        rate_limited_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX social_accounts_workspace_idx ON social_accounts (workspace_id, created_at) WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE posts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        content text NOT NULL,
        publish_at timestamptz NOT NULL,
        max_lateness_seconds integer NOT NULL CHECK (max_lateness_seconds > 0),
        status text NOT NULL CHECK (status IN ('scheduled', 'queued', 'publishing', 'published',
          'partially_published', 'failed', 'cancelled', 'unknown', 'missed')),
        -- Millisecond precision, like a JavaScript Date, so a page cursor holds the exact value.
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX posts_workspace_list_idx ON posts (workspace_id, created_at DESC, id DESC)`);
    await queryRunner.query(
      `CREATE INDEX posts_workspace_status_list_idx ON posts (workspace_id, status, created_at DESC, id DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE post_targets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        post_id uuid NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
        account_id uuid NOT NULL REFERENCES social_accounts(id),
        platform text NOT NULL,
        status text NOT NULL CHECK (status IN
          ('scheduled', 'queued', 'publishing', 'published', 'failed', 'cancelled', 'unknown', 'missed')),
        -- When the target should go out: the post's publishAt, or when a person asked for a retry.
        -- The post's max_lateness_seconds counts from here.
        due_at timestamptz(3) NOT NULL,
        -- When a worker may next try (publish, retry or reconcile); NULL once nothing is left to try.
        -- Millisecond precision (like a JavaScript Date) for this and the lease: the scheduler pages
        -- through them by keyset, and a cursor rounded from microseconds would fetch a page forever.
        next_attempt_at timestamptz(3),
        lease_expires_at timestamptz(3),
        attempts integer NOT NULL DEFAULT 0,
        platform_post_id text,
        url text,
        last_error text,
        published_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (post_id, account_id)
      )`);
    await queryRunner.query(`CREATE INDEX post_targets_account_idx ON post_targets (account_id)`);
    // The scheduler's due scan reads only these two partial indexes, so millions of settled or
    // far-future targets cost it nothing: it range-scans up to now() and stops.
    await queryRunner.query(
      `CREATE INDEX post_targets_due_idx ON post_targets (next_attempt_at, id)
        WHERE status IN ('scheduled', 'queued', 'unknown')`,
    );
    await queryRunner.query(
      `CREATE INDEX post_targets_lease_idx ON post_targets (lease_expires_at, id) WHERE status = 'publishing'`,
    );
    await queryRunner.query(`
      CREATE TABLE publish_attempts (
        id bigserial PRIMARY KEY,
        target_id uuid NOT NULL REFERENCES post_targets(id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL DEFAULT now(),
        outcome text NOT NULL,
        error text,
        status_code integer
      )`);
    await queryRunner.query(`CREATE INDEX publish_attempts_target_idx ON publish_attempts (target_id, attempt)`);
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        key text NOT NULL,
        request_hash text NOT NULL,
        -- The 201 body first returned for this key, replayed verbatim for a repeat within 24 hours.
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, key)
      )`);
    await queryRunner.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE idempotency_keys`);
    await queryRunner.query(`DROP TABLE publish_attempts`);
    await queryRunner.query(`DROP TABLE post_targets`);
    await queryRunner.query(`DROP TABLE posts`);
    await queryRunner.query(`DROP TABLE social_accounts`);
    await queryRunner.query(`DROP TABLE api_keys`);
    await queryRunner.query(`DROP TABLE workspaces`);
  }
}
