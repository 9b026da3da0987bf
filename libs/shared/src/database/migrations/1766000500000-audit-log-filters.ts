import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for GET /v1/audit's commonest filters: the history of one subject (a post, an account) and
 * what one user or key did, newest first, without walking the workspace's whole log.
 */
export class AuditLogFilters1766000500000 implements MigrationInterface {
  name = 'AuditLogFilters1766000500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX audit_log_subject_idx ON audit_log (workspace_id, subject_id, id DESC) WHERE subject_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX audit_log_actor_idx ON audit_log (workspace_id, actor_id, id DESC) WHERE actor_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX audit_log_actor_idx`);
    await queryRunner.query(`DROP INDEX audit_log_subject_idx`);
  }
}
