import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { API_ROLE, dataSourceOptions, sqlRows, type Tx } from '@app/shared';
import { insertPost, openRepositories, workspaceWithAccounts, type Repositories } from '../support/repositories.js';

/**
 * Tables that hold no workspace's data, and why. Every other table must have forced row-level security:
 * a new table holding workspace data fails this suite until it gets its policies.
 */
const TABLES_WITHOUT_WORKSPACE_DATA: Record<string, string> = {
  migrations: 'the schema history',
  oauth_state_uses: 'ids of spent OAuth states, looked up before a workspace is known (the state is sealed)',
  users: 'people, who may belong to several workspaces (their memberships hold the workspace)',
  user_identities: "a person's single sign-on identities",
  sessions: "a person's sign-in sessions, looked up before a workspace is known",
  event_consumers:
    "each outbox reader's cursor (the alerts'), over every workspace's events; the API role has no access",
  password_resets: "a person's password-reset links, used before a workspace is known",
};

interface Tenant {
  workspaceId: string;
  accountIds: string[];
  postId: string;
  targetIds: string[];
}

/** PostgreSQL itself keeps each workspace's rows away from the API acting for another (issue 9). */
describe('row-level security', () => {
  let repositories: Repositories;
  let acme: Tenant;
  let globex: Tenant;
  let rlsTables: string[];

  const rows = <Row>(sql: string, parameters: unknown[] = []) =>
    sqlRows<Row>(repositories.sql.manager, sql, parameters);

  const tableSecurity = () =>
    rows<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
        WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY relname`,
    );

  async function tenant(): Promise<Tenant> {
    const { workspaceId, accountIds } = await workspaceWithAccounts(repositories, 1);
    const { postId, targetIds } = await insertPost(repositories, workspaceId, accountIds);
    await repositories.sql.query(
      `INSERT INTO publish_attempts (target_id, attempt, started_at, outcome) VALUES ($1, 1, now(), 'failed')`,
      [targetIds[0]],
    );
    await repositories.sql.query(
      `INSERT INTO media (workspace_id, storage_key, mime_type, size_bytes, sha256) VALUES ($1, 'k', 'image/png', 1, 's')`,
      [workspaceId],
    );
    await repositories.sql.query(
      `INSERT INTO idempotency_keys (workspace_id, key, request_hash, response) VALUES ($1, 'k', 'h', '{}')`,
      [workspaceId],
    );
    await repositories.sql.query(
      `WITH person AS (INSERT INTO users (email) VALUES ($2) RETURNING id)
       INSERT INTO memberships (workspace_id, user_id, role) SELECT $1, id, 'owner' FROM person`,
      [workspaceId, `owner-${workspaceId}@example.com`],
    );
    await repositories.sql.query(
      `INSERT INTO alert_preferences (workspace_id, user_id) SELECT workspace_id, user_id FROM memberships WHERE workspace_id = $1`,
      [workspaceId],
    );
    await repositories.sql.query(`INSERT INTO events (workspace_id, type) VALUES ($1, 'post.created')`, [workspaceId]);
    await repositories.sql.query(
      `INSERT INTO audit_log (workspace_id, actor_type, action) VALUES ($1, 'system', 'post.created')`,
      [workspaceId],
    );
    await repositories.sql.query(
      `INSERT INTO invitations (workspace_id, email, role, token_hash, invited_by_label, expires_at)
       VALUES ($1, $2, 'viewer', $3, 'operator', now())`,
      [workspaceId, `invited-${workspaceId}@example.com`, `invitation-${workspaceId}`],
    );
    await repositories.sql.query(
      `INSERT INTO post_comments (workspace_id, post_id, author_type, author_id, author_label, text)
       VALUES ($1, $2, 'api_key', gen_random_uuid(), 'Default key', 'Looks good')`,
      [workspaceId, postId],
    );
    await repositories.sql.query(`INSERT INTO publishing_pauses (workspace_id, paused_by) VALUES ($1, 'test')`, [
      workspaceId,
    ]);
    return { workspaceId, accountIds, postId, targetIds };
  }

  async function rowCounts(tx: Tx): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of rlsTables) {
      counts[table] = Number((await tx.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${table}`))[0].n);
    }
    return counts;
  }

  /** How many rows of each table a transaction as the API role sees, acting for `workspaceId` (or none). */
  async function visibleCounts(workspaceId: string | null): Promise<Record<string, number>> {
    return repositories.transactions.run(async (tx) => {
      await tx.query(`SET LOCAL ROLE ${API_ROLE}`);
      if (workspaceId) await tx.query(`SELECT set_config('herald.workspace_id', $1, true)`, [workspaceId]);
      return rowCounts(tx);
    });
  }

  beforeAll(async () => {
    repositories = await openRepositories();
    acme = await tenant();
    globex = await tenant();
    rlsTables = (await tableSecurity()).filter((table) => table.relrowsecurity).map((table) => table.relname);
  });

  afterAll(async () => {
    await repositories?.close();
  });

  it('forces row-level security on every table that holds workspace data', async () => {
    const unprotected = (await tableSecurity())
      .filter((table) => !(table.relrowsecurity && table.relforcerowsecurity))
      .map((table) => table.relname);

    expect(unprotected.sort()).toEqual(Object.keys(TABLES_WITHOUT_WORKSPACE_DATA).sort());
    expect(rlsTables).toEqual(
      expect.arrayContaining(['workspaces', 'api_keys', 'social_accounts', 'posts', 'post_targets', 'media']),
    );
  });

  it('the exempt tables neither name a workspace nor point at a table that does', async () => {
    const leaks = await rows<{ table: string; via: string }>(
      `SELECT c.table_name AS table, c.column_name AS via FROM information_schema.columns c
        WHERE c.table_schema = 'public' AND c.table_name = ANY($1) AND c.column_name = 'workspace_id'
       UNION ALL
       SELECT con.conrelid::regclass::text, con.confrelid::regclass::text FROM pg_constraint con
        WHERE con.contype = 'f' AND con.conrelid::regclass::text = ANY($1) AND NOT con.confrelid::regclass::text = ANY($1)`,
      [Object.keys(TABLES_WITHOUT_WORKSPACE_DATA)],
    );
    expect(leaks).toEqual([]);
  });

  it('shows the API role nothing at all when no workspace is named', async () => {
    const asConnectionRole = await repositories.transactions.run(rowCounts);
    expect(Object.values(asConnectionRole).every((count) => count >= 2)).toBe(true);

    expect(await visibleCounts(null)).toEqual(Object.fromEntries(rlsTables.map((table) => [table, 0])));
  });

  it("shows a workspace's transaction its own rows only, in every table", async () => {
    const counts = await visibleCounts(acme.workspaceId);
    expect(counts).toEqual(Object.fromEntries(rlsTables.map((table) => [table, 1])));

    const seen = await repositories.transactions.forWorkspace(acme.workspaceId, (tx) =>
      sqlRows<{ id: string }>(tx, `SELECT id FROM posts UNION ALL SELECT id FROM social_accounts`),
    );
    expect(seen.map((row) => row.id).sort()).toEqual([acme.postId, ...acme.accountIds].sort());
  });

  it('refuses to write into another workspace, and cannot touch its rows', async () => {
    const insertIntoGlobex = repositories.transactions.forWorkspace(acme.workspaceId, (tx) =>
      tx.query(
        `INSERT INTO posts (workspace_id, content, publish_at, max_lateness_seconds, status)
                VALUES ($1, 'sneaky', now(), 60, 'scheduled')`,
        [globex.workspaceId],
      ),
    );
    await expect(insertIntoGlobex).rejects.toThrow(/row-level security/);

    const moved = await repositories.transactions.forWorkspace(acme.workspaceId, async (tx) => ({
      posts: await sqlRows(tx, `UPDATE posts SET content = 'defaced' WHERE id = $1 RETURNING id`, [globex.postId]),
      targets: await sqlRows(tx, `DELETE FROM post_targets WHERE id = $1 RETURNING id`, [globex.targetIds[0]]),
      accounts: await sqlRows(tx, `UPDATE social_accounts SET name = 'x' WHERE id = $1 RETURNING id`, [
        globex.accountIds[0],
      ]),
    }));
    expect(moved).toEqual({ posts: [], targets: [], accounts: [] });
    expect(await rows(`SELECT content FROM posts WHERE id = $1`, [globex.postId])).toEqual([{ content: 'Hello' }]);
  });

  it('applies to the backend pool outside any workspace transaction: a forgotten scope reads nothing', async () => {
    const apiPool = await new DataSource(
      dataSourceOptions(repositories.database.url, 'herald-rls-test', API_ROLE),
    ).initialize();
    try {
      expect(await apiPool.query(`SELECT current_user AS role`)).toEqual([{ role: API_ROLE }]);
      expect(await apiPool.query(`SELECT count(*)::int AS n FROM posts`)).toEqual([{ n: 0 }]);
      // The lookups that come before a workspace is known answer their one question.
      const [key] = await rows<{ key_hash: string }>(`SELECT key_hash FROM api_keys WHERE workspace_id = $1`, [
        globex.workspaceId,
      ]);
      expect(await apiPool.query(`SELECT workspace_id, role FROM api_key_principal($1)`, [key.key_hash])).toEqual([
        { workspace_id: globex.workspaceId, role: 'admin' },
      ]);
      const [owner] = await rows<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [
        `owner-${globex.workspaceId}@example.com`,
      ]);
      expect(
        await apiPool.query(`SELECT workspace_id, role, failed FROM alert_preferences_of_user($1)`, [owner.id]),
      ).toEqual([{ workspace_id: globex.workspaceId, role: 'owner', failed: true }]);
      expect(
        await apiPool.query(`SELECT invitation_workspace($1) AS workspace_id`, [`invitation-${globex.workspaceId}`]),
      ).toEqual([{ workspace_id: globex.workspaceId }]);
      await expect(apiPool.query(`SELECT count(*) FROM oauth_state_uses`)).resolves.toBeDefined();
      await expect(apiPool.query(`SELECT count(*) FROM migrations`)).rejects.toThrow(/permission denied/);
      await expect(apiPool.query(`SELECT count(*) FROM event_consumers`)).rejects.toThrow(/permission denied/);
    } finally {
      await apiPool.destroy();
    }
  });
});
