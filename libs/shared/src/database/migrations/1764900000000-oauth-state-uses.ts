import { MigrationInterface, QueryRunner } from 'typeorm';

/** OAuth `state`s already spent on a callback: each one connects accounts once. */
export class OAuthStateUses1764900000000 implements MigrationInterface {
  name = 'OAuthStateUses1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE oauth_state_uses (
        state_id uuid PRIMARY KEY,
        -- When the state stops being accepted anyway: from then on the row can go.
        expires_at timestamptz NOT NULL,
        used_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX oauth_state_uses_expires_idx ON oauth_state_uses (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE oauth_state_uses`);
  }
}
