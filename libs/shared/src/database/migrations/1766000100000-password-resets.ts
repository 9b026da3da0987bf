import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Password-reset links (issue 11): single-use and expiring, kept as the SHA-256 of the link's token so a
 * leaked table resets nobody's password. They belong to a person, not a workspace (no row-level security).
 */
export class PasswordResets1766000100000 implements MigrationInterface {
  name = 'PasswordResets1766000100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE password_resets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX password_resets_user_idx ON password_resets (user_id) WHERE used_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE password_resets`);
  }
}
