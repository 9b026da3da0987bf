import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE } from '../api-role.js';
import { enableWorkspaceRowSecurity } from './workspace-row-security.js';

const PREFERENCES_CONDITION = `workspace_id = current_workspace_id()`;

/**
 * Alerts (issue 11): where each reader of the events outbox is, and which alerts each member wants.
 *
 * `event_consumers` holds one cursor per reader (the alerts today; webhooks later), moved only once the
 * reader has done what the events it passes asked for. It holds no workspace data, and only the
 * scheduler reads it: the API role gets no access at all.
 *
 * `alert_preferences` holds a member's choices in one workspace; no row means every alert is on. It goes
 * with the membership (a person who leaves a workspace stops being alerted about it anyway). A person
 * reads their choices in all their workspaces at once through `alert_preferences_of_user`.
 */
export class Alerts1766000600000 implements MigrationInterface {
  name = 'Alerts1766000600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE event_consumers (
        name text PRIMARY KEY,
        tx_id xid8 NOT NULL,
        event_id bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`REVOKE ALL ON event_consumers FROM ${API_ROLE}`);
    await queryRunner.query(`
      CREATE TABLE alert_preferences (
        workspace_id uuid NOT NULL,
        user_id uuid NOT NULL,
        failed boolean NOT NULL DEFAULT true,
        unknown boolean NOT NULL DEFAULT true,
        missed boolean NOT NULL DEFAULT true,
        needs_reauth boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, user_id),
        FOREIGN KEY (workspace_id, user_id) REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE
      )`);
    await enableWorkspaceRowSecurity(queryRunner, 'alert_preferences', PREFERENCES_CONDITION);
    // A person's choices in every workspace they belong to, for their own settings: read before any one
    // workspace is named, so, like workspaces_of_user, a function answering only that.
    await queryRunner.query(`
      CREATE FUNCTION alert_preferences_of_user(member uuid)
        RETURNS TABLE (workspace_id uuid, workspace_name text, role text,
                       failed boolean, unknown boolean, missed boolean, needs_reauth boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT w.id, w.name, m.role, coalesce(p.failed, true), coalesce(p.unknown, true),
               coalesce(p.missed, true), coalesce(p.needs_reauth, true)
          FROM memberships m
          JOIN workspaces w ON w.id = m.workspace_id
          LEFT JOIN alert_preferences p ON p.workspace_id = m.workspace_id AND p.user_id = m.user_id
         WHERE m.user_id = alert_preferences_of_user.member
         ORDER BY w.name, w.id
      $$`);
    await queryRunner.query(`REVOKE EXECUTE ON FUNCTION alert_preferences_of_user(uuid) FROM PUBLIC`);
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION alert_preferences_of_user(uuid) TO ${API_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION alert_preferences_of_user(uuid)`);
    await queryRunner.query(`DROP TABLE alert_preferences`);
    await queryRunner.query(`DROP TABLE event_consumers`);
  }
}
