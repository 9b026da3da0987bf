import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hashApiKey } from '@app/shared';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { startMailServer, type MailServer } from '../support/mail-server.js';
import { uniqueEmail } from '../support/people-backend.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testEnvironment } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

const SCRIPT = 'dist/apps/backend/apps/backend/src/create-workspace.js';

/** `npm run workspace:create`, the built script as the operator runs it on a fresh install. */
describe('npm run workspace:create', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let mail: MailServer;
  let environment: Record<string, string>;

  async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { NODE_OPTIONS: _jestOnly, ...inherited } = process.env;
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [SCRIPT, ...args], {
        env: { ...inherited, ...environment, LOG_LEVEL: 'warn' },
        timeout: 60_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout: string; stderr: string };
      return { code: failed.code ?? -1, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  beforeAll(async () => {
    if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run \`npm run build\` first`);
    database = await createTestDatabase();
    redis = await createTestRedis();
    mail = await startMailServer();
    environment = testEnvironment({ databaseUrl: database.url, queuePrefix: redis.prefix }, { SMTP_URL: mail.url });
  });

  afterAll(async () => {
    await mail?.close();
    await redis?.close();
    await database?.drop();
  });

  it('creates the workspace with its admin key and mails the first owner an invitation', async () => {
    const email = uniqueEmail('founder');
    const result = await run('--name', 'Acme', '--owner-email', email, '--owner-name', 'Ada');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const id = /Workspace "Acme" created: ([0-9a-f-]{36})/.exec(result.stdout)?.[1];
    const key = /Admin API key \(shown this once\): (hk_\S+)/.exec(result.stdout)?.[1];
    expect(result.stdout).toContain(`Invitation mailed to ${email} (owner)`);

    const sql = await database.sql();
    expect(
      await sql.query(`SELECT name FROM api_keys WHERE workspace_id = $1 AND key_hash = $2`, [id, hashApiKey(key!)]),
    ).toEqual([{ name: 'Default key' }]);
    expect(await sql.query(`SELECT email, role FROM invitations WHERE workspace_id = $1`, [id])).toEqual([
      { email, role: 'owner' },
    ]);
    const invitation = await mail.waitFor((message) => message.to.includes(email));
    expect(invitation.text).toContain('Hello Ada,');
    expect(invitation.text).toMatch(/accept-invitation#token=[A-Za-z0-9_-]+/);
  });

  it('names what is wrong with its arguments, creating nothing', async () => {
    const sql = await database.sql();
    const before = await sql.query(`SELECT count(*) AS n FROM workspaces`);

    const noName = await run('--owner-email', uniqueEmail());
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('--name is required');
    expect(noName.stderr).toContain('Usage: npm run workspace:create');

    const badEmail = await run('--name', 'Bad', '--owner-email', 'not-an-email');
    expect(badEmail.code).toBe(2);
    expect(badEmail.stderr).toContain('ownerEmail: ownerEmail must be an email address');
    expect(await sql.query(`SELECT count(*) AS n FROM workspaces`)).toEqual(before);
  });
});
