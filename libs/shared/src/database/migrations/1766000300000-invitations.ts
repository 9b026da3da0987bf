import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE } from '../api-role.js';
import { enableWorkspaceRowSecurity } from './workspace-row-security.js';

const CONDITION = `workspace_id = current_workspace_id()`;

/**
 * Invitations to a workspace (issue 11): an emailed single-use link, kept as the SHA-256 of its token,
 * with the role the person gets on accepting. A workspace has at most one pending invitation per email:
 * inviting again replaces it (new token, role and expiry), so the older link stops working.
 *
 * The link is opened before any workspace is known, so `invitation_workspace` (SECURITY DEFINER) answers
 * which workspace a token belongs to, and nothing else; the invitation is then read as that workspace.
 */
export class Invitations1766000300000 implements MigrationInterface {
  name = 'Invitations1766000300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        email text NOT NULL CHECK (email = lower(email)),
        -- The invitee's name as the inviter gave it: the mail's greeting, and their name if they keep it.
        name text NOT NULL DEFAULT '',
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
        token_hash text NOT NULL UNIQUE,
        invited_by_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        -- Who invited (email, key name or 'operator') at the time, for the mail and the listing.
        invited_by_label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        revoked_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX invitations_pending_idx ON invitations (workspace_id, email)
        WHERE accepted_at IS NULL AND revoked_at IS NULL`,
    );
    await enableWorkspaceRowSecurity(queryRunner, 'invitations', CONDITION);
    await queryRunner.query(`
      CREATE FUNCTION invitation_workspace(token_hash text) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT i.workspace_id FROM invitations i WHERE i.token_hash = invitation_workspace.token_hash
      $$`);
    await queryRunner.query(`REVOKE EXECUTE ON FUNCTION invitation_workspace(text) FROM PUBLIC`);
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION invitation_workspace(text) TO ${API_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION invitation_workspace(text)`);
    await queryRunner.query(`DROP TABLE invitations`);
  }
}
