import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableWorkspaceRowSecurity } from './workspace-row-security.js';

const WORKSPACE_ROW_CONDITIONS: Record<string, string> = {
  post_comments: `workspace_id = current_workspace_id()`,
  publishing_pauses: `workspace_id = current_workspace_id()`,
};

const TARGET_STATUSES_BEFORE = `'scheduled', 'queued', 'publishing', 'published', 'failed', 'cancelled', 'unknown', 'missed'`;
const POST_STATUSES_BEFORE = `'scheduled', 'queued', 'publishing', 'published', 'partially_published', 'failed', 'cancelled', 'unknown', 'missed'`;
const REVIEW_STATUSES = `'pending_approval', 'rejected'`;

/**
 * Approvals, comments and the kill switch (issue 11). A workspace may require approval of its editors'
 * posts: their targets wait as `pending_approval` (outside the due index: never claimed) until an admin
 * approves them, or end `rejected` with the reason. Comments are a post's internal discussion. A pause
 * (of a whole workspace, or of one account) stops every claim it covers until it is lifted; it is a row
 * of its own so the claim condition reads one small table, and a resume deletes it (the audit log keeps
 * the history).
 */
export class ApprovalsCommentsPauses1766000400000 implements MigrationInterface {
  name = 'ApprovalsCommentsPauses1766000400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE workspaces ADD COLUMN requires_approval boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`
      ALTER TABLE posts
        ADD COLUMN rejection_reason text,
        ADD COLUMN rejected_by text,
        ADD COLUMN rejected_at timestamptz`);
    await queryRunner.query(`ALTER TABLE posts DROP CONSTRAINT posts_status_check`);
    await queryRunner.query(
      `ALTER TABLE posts ADD CONSTRAINT posts_status_check CHECK (status IN (${POST_STATUSES_BEFORE}, ${REVIEW_STATUSES}))`,
    );
    await queryRunner.query(`ALTER TABLE post_targets DROP CONSTRAINT post_targets_status_check`);
    await queryRunner.query(
      `ALTER TABLE post_targets ADD CONSTRAINT post_targets_status_check
         CHECK (status IN (${TARGET_STATUSES_BEFORE}, ${REVIEW_STATUSES}))`,
    );

    await queryRunner.query(`
      CREATE TABLE post_comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        post_id uuid NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
        author_type text NOT NULL CHECK (author_type IN ('user', 'api_key')),
        author_id uuid NOT NULL,
        -- The author's email or key name at the time, kept if the user or key goes.
        author_label text NOT NULL,
        text text NOT NULL CHECK (length(text) BETWEEN 1 AND 5000),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX post_comments_post_idx ON post_comments (post_id, created_at, id)`);
    await queryRunner.query(`
      CREATE FUNCTION post_comment_same_workspace() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = NEW.post_id AND p.workspace_id = NEW.workspace_id) THEN
          RAISE EXCEPTION 'comment % refers to a post of another workspace', NEW.id
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER post_comments_same_workspace AFTER INSERT OR UPDATE ON post_comments
        FOR EACH ROW EXECUTE FUNCTION post_comment_same_workspace()`);

    await queryRunner.query(`
      CREATE TABLE publishing_pauses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        -- Null: the whole workspace is paused.
        account_id uuid REFERENCES social_accounts(id) ON DELETE CASCADE,
        reason text,
        paused_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX publishing_pauses_workspace_idx ON publishing_pauses (workspace_id) WHERE account_id IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX publishing_pauses_account_idx ON publishing_pauses (account_id) WHERE account_id IS NOT NULL`,
    );
    // The claim condition and the API's reads look a workspace's pauses up by workspace.
    await queryRunner.query(
      `CREATE INDEX publishing_pauses_lookup_idx ON publishing_pauses (workspace_id, account_id)`,
    );
    await queryRunner.query(`
      CREATE FUNCTION publishing_pause_same_workspace() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.account_id IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM social_accounts a WHERE a.id = NEW.account_id AND a.workspace_id = NEW.workspace_id
        ) THEN
          RAISE EXCEPTION 'pause % refers to an account of another workspace', NEW.id
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER publishing_pauses_same_workspace AFTER INSERT OR UPDATE ON publishing_pauses
        FOR EACH ROW EXECUTE FUNCTION publishing_pause_same_workspace()`);

    for (const [table, condition] of Object.entries(WORKSPACE_ROW_CONDITIONS)) {
      await enableWorkspaceRowSecurity(queryRunner, table, condition);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE publishing_pauses`);
    await queryRunner.query(`DROP FUNCTION publishing_pause_same_workspace()`);
    await queryRunner.query(`DROP TABLE post_comments`);
    await queryRunner.query(`DROP FUNCTION post_comment_same_workspace()`);
    await queryRunner.query(`ALTER TABLE post_targets DROP CONSTRAINT post_targets_status_check`);
    await queryRunner.query(
      `ALTER TABLE post_targets ADD CONSTRAINT post_targets_status_check CHECK (status IN (${TARGET_STATUSES_BEFORE}))`,
    );
    await queryRunner.query(`ALTER TABLE posts DROP CONSTRAINT posts_status_check`);
    await queryRunner.query(
      `ALTER TABLE posts ADD CONSTRAINT posts_status_check CHECK (status IN (${POST_STATUSES_BEFORE}))`,
    );
    await queryRunner.query(
      `ALTER TABLE posts DROP COLUMN rejection_reason, DROP COLUMN rejected_by, DROP COLUMN rejected_at`,
    );
    await queryRunner.query(`ALTER TABLE workspaces DROP COLUMN requires_approval`);
  }
}
