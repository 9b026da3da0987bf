import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE } from '../api-role.js';

const PREFERENCES_CONDITION = `workspace_id = current_workspace_id()`;

/**
 * Alerts (issue 11): where each reader of the events outbox is, and which alerts each member wants.
 *
 * `event_consumers` holds one cursor per reader (the alerts today; webhooks later), moved only once the
 * reader has done what the events it passes asked for. It holds no workspace data, and only the
 * scheduler reads it: the API role gets no access at all.
 *
 * `alert_preferences` holds a member's choices in one workspace; no row means every alert is on. It goes
 * with the membership (a person who leaves a workspace stops being alerted about it anyway).
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
    await queryRunner.query(`ALTER TABLE alert_preferences ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`ALTER TABLE alert_preferences FORCE ROW LEVEL SECURITY`);
    await queryRunner.query(
      `CREATE POLICY one_workspace ON alert_preferences TO ${API_ROLE}
         USING (${PREFERENCES_CONDITION}) WITH CHECK (${PREFERENCES_CONDITION})`,
    );
    await queryRunner.query(
      `CREATE POLICY across_workspaces ON alert_preferences USING (current_user <> '${API_ROLE}')
         WITH CHECK (current_user <> '${API_ROLE}')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE alert_preferences`);
    await queryRunner.query(`DROP TABLE event_consumers`);
  }
}
