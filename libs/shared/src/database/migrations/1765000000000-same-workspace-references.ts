import { MigrationInterface, QueryRunner } from 'typeorm';

const REFERENCED_TABLES = ['posts', 'social_accounts', 'media'];

/**
 * The database refuses a row pointing into another workspace: a target whose account belongs to another
 * workspace than its post, and a post whose media list names another workspace's media. Triggers rather
 * than composite foreign keys: post_targets holds no workspace_id of its own, and posts.media is a JSON list.
 * They fire AFTER the row is written, so a statement inserting a post and its targets together
 * (data-modifying WITH) is checked once both are visible. A referenced row never changes workspace, so
 * a reference checked once stays within its workspace.
 */
export class SameWorkspaceReferences1765000000000 implements MigrationInterface {
  name = 'SameWorkspaceReferences1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION post_target_same_workspace() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (
          SELECT 1 FROM posts p JOIN social_accounts a ON a.workspace_id = p.workspace_id
          WHERE p.id = NEW.post_id AND a.id = NEW.account_id
        ) THEN
          RAISE EXCEPTION 'post target % refers to an account of another workspace than its post', NEW.id
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER post_targets_same_workspace AFTER INSERT OR UPDATE OF post_id, account_id ON post_targets
        FOR EACH ROW EXECUTE FUNCTION post_target_same_workspace()`);
    await queryRunner.query(`
      CREATE FUNCTION post_media_same_workspace() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (
          SELECT 1 FROM jsonb_array_elements(NEW.media) item
          WHERE NOT EXISTS (
            SELECT 1 FROM media m WHERE m.id = (item->>'mediaId')::uuid AND m.workspace_id = NEW.workspace_id
          )
        ) THEN
          RAISE EXCEPTION 'post % refers to media of another workspace', NEW.id
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER posts_media_same_workspace AFTER INSERT OR UPDATE OF media ON posts
        FOR EACH ROW EXECUTE FUNCTION post_media_same_workspace()`);
    await queryRunner.query(`
      CREATE FUNCTION workspace_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.workspace_id IS DISTINCT FROM OLD.workspace_id THEN
          RAISE EXCEPTION '% % cannot move to another workspace', TG_TABLE_NAME, OLD.id
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    for (const table of REFERENCED_TABLES) {
      await queryRunner.query(`
        CREATE TRIGGER ${table}_workspace_unchanged BEFORE UPDATE OF workspace_id ON ${table}
          FOR EACH ROW EXECUTE FUNCTION workspace_unchanged()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of REFERENCED_TABLES) {
      await queryRunner.query(`DROP TRIGGER ${table}_workspace_unchanged ON ${table}`);
    }
    await queryRunner.query(`DROP FUNCTION workspace_unchanged()`);
    await queryRunner.query(`DROP TRIGGER posts_media_same_workspace ON posts`);
    await queryRunner.query(`DROP FUNCTION post_media_same_workspace()`);
    await queryRunner.query(`DROP TRIGGER post_targets_same_workspace ON post_targets`);
    await queryRunner.query(`DROP FUNCTION post_target_same_workspace()`);
  }
}
