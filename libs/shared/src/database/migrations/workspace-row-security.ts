import type { QueryRunner } from 'typeorm';
import { API_ROLE } from '../api-role.js';

/**
 * Forces row-level security on a table holding workspace data: the API role sees and writes only the
 * rows for which `condition` holds (typically `workspace_id = current_workspace_id()`); every other role
 * (worker, scheduler, migrations) passes. See RowLevelSecurity1765100000000 for why.
 */
export async function enableWorkspaceRowSecurity(
  queryRunner: QueryRunner,
  table: string,
  condition: string,
): Promise<void> {
  await queryRunner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await queryRunner.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  await queryRunner.query(
    `CREATE POLICY one_workspace ON ${table} TO ${API_ROLE} USING (${condition}) WITH CHECK (${condition})`,
  );
  await queryRunner.query(
    `CREATE POLICY across_workspaces ON ${table} USING (current_user <> '${API_ROLE}')
       WITH CHECK (current_user <> '${API_ROLE}')`,
  );
}

/** Undoes {@link enableWorkspaceRowSecurity}. */
export async function disableWorkspaceRowSecurity(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.query(`DROP POLICY across_workspaces ON ${table}`);
  await queryRunner.query(`DROP POLICY one_workspace ON ${table}`);
  await queryRunner.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
  await queryRunner.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
}
