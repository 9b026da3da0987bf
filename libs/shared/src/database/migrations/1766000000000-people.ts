import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE } from '../api-role.js';
import { enableWorkspaceRowSecurity } from './workspace-row-security.js';

/** New tables holding a workspace's data, with the condition that says a row is the current workspace's. */
const WORKSPACE_ROW_CONDITIONS: Record<string, string> = {
  memberships: `workspace_id = current_workspace_id()`,
  events: `workspace_id = current_workspace_id()`,
  audit_log: `workspace_id = current_workspace_id()`,
};

/**
 * People (issue 11): users, their sessions and sign-in identities (global, no workspace data), their
 * memberships with a role, API keys with names and roles, the `events` outbox and the append-only audit
 * log. The existing key of each workspace becomes its `admin` key.
 *
 * Who a request acts for is answered before any workspace is known, so it goes through SECURITY DEFINER
 * functions (like `workspace_for_api_key`, which `api_key_principal` replaces) that answer only that.
 */
export class People1766000000000 implements MigrationInterface {
  name = 'People1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (email = lower(email)),
        name text NOT NULL DEFAULT '',
        -- argon2id; null for a user who signs in only through single sign-on.
        password_hash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_email_idx ON users (email)`);
    await queryRunner.query(`
      CREATE TABLE user_identities (
        issuer text NOT NULL,
        subject text NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (issuer, subject)
      )`);
    await queryRunner.query(`CREATE INDEX user_identities_user_idx ON user_identities (user_id)`);
    await queryRunner.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        -- SHA-256 of the cookie's opaque token: a leaked table signs nobody in.
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- Idle expiry counts from here (moved at most once a minute).
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        -- Absolute expiry, whatever the activity.
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        user_agent text,
        ip text
      )`);
    await queryRunner.query(
      `CREATE INDEX sessions_user_idx ON sessions (user_id, created_at) WHERE revoked_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE memberships (
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, user_id)
      )`);
    await queryRunner.query(`CREATE INDEX memberships_user_idx ON memberships (user_id)`);

    await queryRunner.query(`
      ALTER TABLE api_keys
        ADD COLUMN name text NOT NULL DEFAULT 'Default key',
        ADD COLUMN role text NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'editor', 'viewer')),
        -- The first characters of the key, shown so people can tell keys apart; unknown ('') for keys
        -- made before names existed, since only their hashes were kept.
        ADD COLUMN prefix text NOT NULL DEFAULT '',
        ADD COLUMN last_used_at timestamptz,
        ADD COLUMN created_by uuid REFERENCES users(id) ON DELETE SET NULL`);
    await queryRunner.query(`ALTER TABLE api_keys ALTER COLUMN name DROP DEFAULT`);
    // Who wrote a post: approvals send an editor's post for approval, alerts tell its author.
    await queryRunner.query(`
      ALTER TABLE posts
        ADD COLUMN author_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        ADD COLUMN author_api_key_id uuid REFERENCES api_keys(id) ON DELETE SET NULL`);

    // The outbox: written in the transaction of the change it reports. tx_id lets a reader take only
    // events whose transaction can no longer commit behind it (ids are handed out before commit, so a
    // higher id may become visible before a lower one): see events.repository.ts.
    await queryRunner.query(`
      CREATE TABLE events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        type text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX events_workspace_idx ON events (workspace_id, id)`);
    await queryRunner.query(`CREATE INDEX events_read_order_idx ON events (tx_id, id)`);
    await queryRunner.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'operator', 'system')),
        actor_id uuid,
        -- The actor's email or key name at the time, kept if the user or key goes.
        actor_label text NOT NULL DEFAULT '',
        action text NOT NULL,
        subject_type text,
        subject_id uuid,
        details jsonb NOT NULL DEFAULT '{}',
        ip text,
        request_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX audit_log_workspace_idx ON audit_log (workspace_id, id DESC)`);
    // Append-only: no role may change a line; lines go only with their workspace (ON DELETE CASCADE).
    await queryRunner.query(`
      CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['events', 'audit_log']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_change()`,
      );
      await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM ${API_ROLE}`);
    }

    for (const [table, condition] of Object.entries(WORKSPACE_ROW_CONDITIONS)) {
      await enableWorkspaceRowSecurity(queryRunner, table, condition);
    }

    await queryRunner.query(`DROP FUNCTION workspace_for_api_key(text)`);
    // Who an API key acts for. Marks the key used at most once a minute, so a busy key costs no write per request.
    await queryRunner.query(`
      CREATE FUNCTION api_key_principal(key_hash text)
        RETURNS TABLE (api_key_id uuid, workspace_id uuid, role text, name text)
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
      BEGIN
        UPDATE api_keys k SET last_used_at = now()
         WHERE k.key_hash = api_key_principal.key_hash AND k.revoked_at IS NULL
           AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
        RETURN QUERY SELECT k.id, k.workspace_id, k.role, k.name FROM api_keys k
          WHERE k.key_hash = api_key_principal.key_hash AND k.revoked_at IS NULL;
      END $$`);
    // Who a session cookie acts for, and their role in the workspace the request names (null: not a
    // member, or no workspace named). A live session is unrevoked, before its absolute expiry and used
    // within idle_seconds; using it moves its idle expiry (at most once a minute).
    await queryRunner.query(`
      CREATE FUNCTION session_principal(token_hash text, workspace uuid, idle_seconds integer)
        RETURNS TABLE (session_id uuid, user_id uuid, email text, role text)
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
      BEGIN
        UPDATE sessions s SET last_seen_at = now()
         WHERE s.token_hash = session_principal.token_hash AND s.revoked_at IS NULL AND s.expires_at > now()
           AND s.last_seen_at > now() - make_interval(secs => idle_seconds)
           AND s.last_seen_at < now() - interval '1 minute';
        RETURN QUERY SELECT s.id, s.user_id, u.email, m.role FROM sessions s
          JOIN users u ON u.id = s.user_id
          LEFT JOIN memberships m ON m.user_id = s.user_id AND m.workspace_id = session_principal.workspace
          WHERE s.token_hash = session_principal.token_hash AND s.revoked_at IS NULL AND s.expires_at > now()
            AND s.last_seen_at > now() - make_interval(secs => idle_seconds);
      END $$`);
    // The workspaces a user belongs to, across workspaces, for the user's own listing.
    await queryRunner.query(`
      CREATE FUNCTION workspaces_of_user(member uuid)
        RETURNS TABLE (workspace_id uuid, name text, role text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT w.id, w.name, m.role FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
         WHERE m.user_id = workspaces_of_user.member ORDER BY w.name, w.id
      $$`);
    for (const fn of [
      'api_key_principal(text)',
      'session_principal(text, uuid, integer)',
      'workspaces_of_user(uuid)',
    ]) {
      await queryRunner.query(`REVOKE EXECUTE ON FUNCTION ${fn} FROM PUBLIC`);
      await queryRunner.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${API_ROLE}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const fn of [
      'api_key_principal(text)',
      'session_principal(text, uuid, integer)',
      'workspaces_of_user(uuid)',
    ]) {
      await queryRunner.query(`DROP FUNCTION ${fn}`);
    }
    await queryRunner.query(`
      CREATE FUNCTION workspace_for_api_key(key_hash text) RETURNS SETOF workspaces
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT w.* FROM workspaces w JOIN api_keys k ON k.workspace_id = w.id
         WHERE k.key_hash = workspace_for_api_key.key_hash AND k.revoked_at IS NULL
      $$`);
    await queryRunner.query(`REVOKE EXECUTE ON FUNCTION workspace_for_api_key(text) FROM PUBLIC`);
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION workspace_for_api_key(text) TO ${API_ROLE}`);
    await queryRunner.query(`DROP TABLE audit_log`);
    await queryRunner.query(`DROP TABLE events`);
    await queryRunner.query(`DROP FUNCTION refuse_change()`);
    await queryRunner.query(`ALTER TABLE posts DROP COLUMN author_user_id, DROP COLUMN author_api_key_id`);
    await queryRunner.query(
      `ALTER TABLE api_keys DROP COLUMN name, DROP COLUMN role, DROP COLUMN prefix, DROP COLUMN last_used_at, DROP COLUMN created_by`,
    );
    await queryRunner.query(`DROP TABLE memberships`);
    await queryRunner.query(`DROP TABLE sessions`);
    await queryRunner.query(`DROP TABLE user_identities`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
