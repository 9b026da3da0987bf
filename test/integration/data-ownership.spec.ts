import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dataSourceOptions, sqlRows } from '@app/shared';
import { insertPost, openRepositories, workspaceWithAccounts, type Repositories } from '../support/repositories.js';

/** The writes that moved to the repository owning their table, and the transactions that compose them. */
describe('data ownership', () => {
  let repositories: Repositories;

  beforeAll(async () => {
    repositories = await openRepositories();
  });

  afterAll(async () => {
    await repositories?.close();
  });

  const rows = <Row>(sql: string, parameters: unknown[] = []) =>
    sqlRows<Row>(repositories.sql.manager, sql, parameters);

  const setTarget = (id: string, status: string) =>
    repositories.sql.query(`UPDATE post_targets SET status = $2 WHERE id = $1`, [id, status]);

  const targetsOf = (postId: string) =>
    rows<{ account_id: string; status: string; last_error: string | null }>(
      `SELECT account_id, status, last_error FROM post_targets WHERE post_id = $1`,
      [postId],
    );

  const accountOf = (workspaceId: string, id: string) =>
    repositories.transactions.forWorkspace(workspaceId, (tx) => repositories.accounts.findOne(tx, workspaceId, id));

  const finishedRequest = (workspaceId: string, key: string) =>
    repositories.transactions.forWorkspace(workspaceId, (tx) =>
      repositories.idempotencyKeys.findFinished(tx, workspaceId, key),
    );

  const postStatus = async (postId: string) =>
    (await rows<{ status: string }>(`SELECT status FROM posts WHERE id = $1`, [postId]))[0].status;

  it('TypeORM maps no entities: it serves connections and migrations only', () => {
    expect(dataSourceOptions(repositories.database.url, 'check').entities).toEqual([]);
    expect(repositories.sql.entityMetadatas).toHaveLength(0);
  });

  describe('SocialAccountRepository.rateLimitAccount', () => {
    it('pauses only that account, and never shortens a pause', async () => {
      const { workspaceId, accountIds } = await workspaceWithAccounts(repositories, 2);
      const [limited, other] = accountIds;
      const { targetIds } = await insertPost(repositories, workspaceId, accountIds, new Date(Date.now() - 1_000));
      const until = new Date(Date.now() + 3_600_000);

      await repositories.accounts.rateLimitAccount(limited, until);
      await repositories.accounts.rateLimitAccount(limited, new Date(Date.now() + 60_000));

      expect((await accountOf(workspaceId, limited))?.rateLimitedUntil).toEqual(until);
      expect((await accountOf(workspaceId, other))?.rateLimitedUntil).toBeNull();
      expect(await repositories.targets.claim(targetIds[0], 30)).toBeNull();
      expect(await repositories.targets.whyUnclaimable(targetIds[0])).toEqual({ status: 'scheduled', retryAt: until });
      expect(await repositories.targets.claim(targetIds[1], 30)).toMatchObject({ accountId: other });
    });
  });

  describe('deleting an account', () => {
    async function deleteAccount(workspaceId: string, accountId: string, andThen?: () => never): Promise<boolean> {
      return repositories.transactions.run(async (tx) => {
        if (!(await repositories.accounts.softDelete(tx, workspaceId, accountId))) return false;
        await repositories.targets.cancelPendingOfDeletedAccount(tx, accountId);
        andThen?.();
        return true;
      });
    }

    it('cancels its pending targets only, and recomputes each post status', async () => {
      const { workspaceId, accountIds } = await workspaceWithAccounts(repositories, 2);
      const [deleted, kept] = accountIds;
      const alone = await insertPost(repositories, workspaceId, [deleted]);
      const shared = await insertPost(repositories, workspaceId, [deleted, kept]);
      const queued = await insertPost(repositories, workspaceId, [deleted, kept]);
      await setTarget(queued.targetIds[0], 'queued');
      await setTarget(queued.targetIds[1], 'published');
      const started = await insertPost(repositories, workspaceId, [deleted]);
      await setTarget(started.targetIds[0], 'unknown');

      expect(await deleteAccount(workspaceId, deleted)).toBe(true);

      const cancelled = { account_id: deleted, status: 'cancelled', last_error: 'account deleted' };
      expect(await targetsOf(alone.postId)).toEqual([cancelled]);
      expect(await postStatus(alone.postId)).toBe('cancelled');
      expect(await targetsOf(shared.postId)).toEqual(
        expect.arrayContaining([cancelled, { account_id: kept, status: 'scheduled', last_error: null }]),
      );
      expect(await postStatus(shared.postId)).toBe('scheduled');
      expect(await postStatus(queued.postId)).toBe('published');
      // An attempt may have reached the platform: left for a person, not silently cancelled.
      expect(await targetsOf(started.postId)).toEqual([{ account_id: deleted, status: 'unknown', last_error: null }]);
      expect(await accountOf(workspaceId, deleted)).toBeNull();
      expect(await deleteAccount(workspaceId, deleted)).toBe(false);
    });

    it('changes nothing when the transaction rolls back', async () => {
      const { workspaceId, accountIds } = await workspaceWithAccounts(repositories, 1);
      const post = await insertPost(repositories, workspaceId, accountIds);
      const failure = new Error('rolled back');
      await expect(
        deleteAccount(workspaceId, accountIds[0], () => {
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await accountOf(workspaceId, accountIds[0])).not.toBeNull();
      expect(await targetsOf(post.postId)).toEqual([
        { account_id: accountIds[0], status: 'scheduled', last_error: null },
      ]);
      expect(await postStatus(post.postId)).toBe('scheduled');
    });
  });

  describe('IdempotencyKeyRepository', () => {
    let workspaceId: string;

    beforeAll(async () => {
      ({ workspaceId } = await workspaceWithAccounts(repositories, 0));
    });

    /** What PostsService does with a key: claim it, create, keep the response; or get the earlier request. */
    const createWithKey = (key: string, requestHash: string, response: unknown) =>
      repositories.transactions.run(async (tx) => {
        const earlier = await repositories.idempotencyKeys.claim(tx, workspaceId, { key, requestHash });
        if (earlier) return earlier;
        await repositories.idempotencyKeys.saveResponse(tx, workspaceId, key, response);
        return null;
      });

    it('claims a key once and replays the response kept with it', async () => {
      expect(await finishedRequest(workspaceId, 'once')).toBeNull();
      expect(await createWithKey('once', 'hash-1', { id: 'first' })).toBeNull();
      const earlier = { requestHash: 'hash-1', response: { id: 'first' } };
      expect(await finishedRequest(workspaceId, 'once')).toEqual(earlier);
      expect(await createWithKey('once', 'hash-2', { id: 'second' })).toEqual(earlier);
    });

    it('lets exactly one of concurrent requests with one key create', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) => createWithKey('race', 'same', { id: `request ${i}` })),
      );
      const winners = results.filter((result) => result === null);
      expect(winners).toHaveLength(1);
      const stored = await finishedRequest(workspaceId, 'race');
      for (const result of results) if (result !== null) expect(result).toEqual(stored);
    });

    it('is not finished while its request is in flight, and is free again once that rolls back', async () => {
      const failure = new Error('rolled back');
      const inFlight = repositories.transactions.run(async (tx) => {
        expect(
          await repositories.idempotencyKeys.claim(tx, workspaceId, { key: 'flight', requestHash: 'hash' }),
        ).toBeNull();
        expect(await finishedRequest(workspaceId, 'flight')).toBeNull();
        throw failure;
      });
      await expect(inFlight).rejects.toBe(failure);
      expect(await createWithKey('flight', 'hash', { id: 'retried' })).toBeNull();
    });

    it('forgets a key after 24 hours', async () => {
      expect(await createWithKey('old', 'hash-1', { id: 'yesterday' })).toBeNull();
      await repositories.sql.query(
        `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE workspace_id = $1 AND key = 'old'`,
        [workspaceId],
      );
      expect(await finishedRequest(workspaceId, 'old')).toBeNull();
      expect(await createWithKey('old', 'hash-2', { id: 'today' })).toBeNull();
      expect(await finishedRequest(workspaceId, 'old')).toEqual({
        requestHash: 'hash-2',
        response: { id: 'today' },
      });
    });
  });
});
