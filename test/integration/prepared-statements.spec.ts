import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API_ROLE, preparedRows, sqlRows } from '@app/shared';
import { insertPost, openRepositories, workspaceWithAccounts, type Repositories } from '../support/repositories.js';

/** preparedRows: planned once per connection, one name per text, and row-level security still applies. */
describe('preparedRows', () => {
  let repositories: Repositories;

  beforeAll(async () => {
    repositories = await openRepositories();
  });

  afterAll(async () => {
    await repositories?.close();
  });

  it('prepares a text once on its connection and answers its rows each time', async () => {
    const prepared = await repositories.transactions.run(async (tx) => {
      expect(await preparedRows(tx, `SELECT $1::int + 1 AS n`, [1])).toEqual([{ n: 2 }]);
      expect(await preparedRows(tx, `SELECT $1::int + 1 AS n`, [41])).toEqual([{ n: 42 }]);
      expect(await preparedRows(tx, `SELECT $1::int * 2 AS n`, [4])).toEqual([{ n: 8 }]);
      return sqlRows<{ statement: string }>(
        tx,
        `SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'SELECT $1::int%' ORDER BY statement`,
      );
    });
    expect(prepared).toEqual([{ statement: 'SELECT $1::int * 2 AS n' }, { statement: 'SELECT $1::int + 1 AS n' }]);
  });

  it('keeps each workspace to its own rows when one connection runs the statement for several', async () => {
    const acme = await workspaceWithAccounts(repositories, 1);
    const globex = await workspaceWithAccounts(repositories, 1);
    const acmePost = await insertPost(repositories, acme.workspaceId, acme.accountIds);
    await insertPost(repositories, globex.workspaceId, globex.accountIds);
    const visibleTo = (workspaceId: string) =>
      repositories.transactions.run(async (tx) => {
        await tx.query(`SELECT set_config('role', $1, true), set_config('herald.workspace_id', $2, true)`, [
          API_ROLE,
          workspaceId,
        ]);
        return preparedRows<{ id: string }>(tx, `SELECT id FROM posts ORDER BY id`);
      });
    // More runs than PostgreSQL's five custom plans, so a generic plan is in use by the end.
    for (let run = 0; run < 7; run += 1) {
      expect(await visibleTo(acme.workspaceId)).toEqual([{ id: acmePost.postId }]);
      expect(await visibleTo(globex.workspaceId)).not.toContainEqual({ id: acmePost.postId });
    }
  });
});
