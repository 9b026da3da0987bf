import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE } from '../api-role.js';
import { disableWorkspaceRowSecurity, enableWorkspaceRowSecurity } from './workspace-row-security.js';

/** Tables holding a workspace's data, with the condition that says a row is the current workspace's. */
const WORKSPACE_ROW_CONDITIONS: Record<string, string> = {
  workspaces: `id = current_workspace_id()`,
  api_keys: `workspace_id = current_workspace_id()`,
  social_accounts: `workspace_id = current_workspace_id()`,
  posts: `workspace_id = current_workspace_id()`,
  idempotency_keys: `workspace_id = current_workspace_id()`,
  media: `workspace_id = current_workspace_id()`,
  post_targets: `EXISTS (SELECT 1 FROM posts p WHERE p.id = post_targets.post_id AND p.workspace_id = current_workspace_id())`,
  publish_attempts: `EXISTS (
      SELECT 1 FROM post_targets t JOIN posts p ON p.id = t.post_id
       WHERE t.id = publish_attempts.target_id AND p.workspace_id = current_workspace_id())`,
};

/**
 * Tenants enforced by PostgreSQL, not only by every query remembering `WHERE workspace_id = …`. The API
 * acts for one workspace at a time as the role `herald_api` (TransactionRunner.forWorkspace sets it with
 * the workspace for each transaction), and row-level security lets that role see and write only that
 * workspace's rows; without a workspace it sees nothing. Every other role (the worker and scheduler, which
 * work across tenants, and migrations) passes. FORCE applies the policies to the tables' owner too, so a
 * non-superuser DATABASE_URL is covered; superusers bypass row-level security, which is why the API
 * switches role instead of relying on the connection's.
 *
 * Lookups that come before a workspace is known (an API key, a signed media link) are SECURITY DEFINER
 * functions returning only what they look up.
 */
export class RowLevelSecurity1765100000000 implements MigrationInterface {
  name = 'RowLevelSecurity1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Roles belong to the whole cluster: another database (or a concurrent migration) may have made it.
    await queryRunner.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${API_ROLE}') THEN
          CREATE ROLE ${API_ROLE} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await queryRunner.query(`
      DO $$ BEGIN
        IF NOT pg_has_role(current_user, '${API_ROLE}', 'MEMBER') THEN
          EXECUTE format('GRANT ${API_ROLE} TO %I', current_user);
        END IF;
      END $$`);
    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO ${API_ROLE}`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${API_ROLE}`);
    await queryRunner.query(`REVOKE ALL ON migrations FROM ${API_ROLE}`);
    await queryRunner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${API_ROLE}`);
    await queryRunner.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${API_ROLE}`,
    );
    await queryRunner.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${API_ROLE}`,
    );

    await queryRunner.query(`
      CREATE FUNCTION current_workspace_id() RETURNS uuid LANGUAGE sql STABLE AS $$
        SELECT nullif(current_setting('herald.workspace_id', true), '')::uuid
      $$`);
    for (const [table, condition] of Object.entries(WORKSPACE_ROW_CONDITIONS)) {
      await enableWorkspaceRowSecurity(queryRunner, table, condition);
    }

    await queryRunner.query(`
      CREATE FUNCTION workspace_for_api_key(key_hash text) RETURNS SETOF workspaces
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT w.* FROM workspaces w JOIN api_keys k ON k.workspace_id = w.id
         WHERE k.key_hash = workspace_for_api_key.key_hash AND k.revoked_at IS NULL
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION media_for_signed_link(media_id uuid) RETURNS SETOF media
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT * FROM media WHERE id = media_for_signed_link.media_id
      $$`);
    for (const fn of ['workspace_for_api_key(text)', 'media_for_signed_link(uuid)']) {
      await queryRunner.query(`REVOKE EXECUTE ON FUNCTION ${fn} FROM PUBLIC`);
      await queryRunner.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${API_ROLE}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION media_for_signed_link(uuid)`);
    await queryRunner.query(`DROP FUNCTION workspace_for_api_key(text)`);
    for (const table of Object.keys(WORKSPACE_ROW_CONDITIONS)) {
      await disableWorkspaceRowSecurity(queryRunner, table);
    }
    await queryRunner.query(`DROP FUNCTION current_workspace_id()`);
    await queryRunner.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM ${API_ROLE}`,
    );
    await queryRunner.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM ${API_ROLE}`,
    );
    await queryRunner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${API_ROLE}`);
    await queryRunner.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${API_ROLE}`);
    await queryRunner.query(`REVOKE USAGE ON SCHEMA public FROM ${API_ROLE}`);
  }
}
