import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openRepositories, workspaceWithAccounts, type Repositories } from '../support/repositories.js';

/** The database itself refuses a row pointing into another workspace, whatever query wrote it. */
describe('tenant integrity', () => {
  let repositories: Repositories;
  let ours: { workspaceId: string; accountIds: string[] };
  let theirs: { workspaceId: string; accountIds: string[] };

  beforeAll(async () => {
    repositories = await openRepositories();
    ours = await workspaceWithAccounts(repositories, 1);
    theirs = await workspaceWithAccounts(repositories, 1);
  });

  afterAll(async () => {
    await repositories?.close();
  });

  const sql = <Row>(text: string, parameters: unknown[] = []) => repositories.sql.query<Row[]>(text, parameters);

  const newPost = async (workspaceId: string, media: unknown[] = []) =>
    (
      await sql<{ id: string }>(
        `INSERT INTO posts (workspace_id, content, media, publish_at, max_lateness_seconds, status)
         VALUES ($1, 'Hello', $2, now(), 3600, 'scheduled') RETURNING id`,
        [workspaceId, JSON.stringify(media)],
      )
    )[0].id;

  const newMedia = async (workspaceId: string) =>
    (
      await sql<{ id: string }>(
        `INSERT INTO media (workspace_id, storage_key, mime_type, size_bytes, sha256)
         VALUES ($1, 'key', 'image/png', 1, 'hash') RETURNING id`,
        [workspaceId],
      )
    )[0].id;

  const newTarget = (postId: string, accountId: string) =>
    sql(
      `INSERT INTO post_targets (post_id, account_id, platform, status, due_at)
       VALUES ($1, $2, 'x', 'scheduled', now())`,
      [postId, accountId],
    );

  describe('a target', () => {
    it('may name an account of its post’s workspace', async () => {
      await expect(newTarget(await newPost(ours.workspaceId), ours.accountIds[0])).resolves.toBeDefined();
    });

    it('may not name an account of another workspace', async () => {
      await expect(newTarget(await newPost(ours.workspaceId), theirs.accountIds[0])).rejects.toThrow(
        /account of another workspace/,
      );
    });

    it('may not be moved to another workspace’s account or post', async () => {
      const postId = await newPost(ours.workspaceId);
      await newTarget(postId, ours.accountIds[0]);
      await expect(
        sql(`UPDATE post_targets SET account_id = $2 WHERE post_id = $1`, [postId, theirs.accountIds[0]]),
      ).rejects.toThrow(/account of another workspace/);
      await expect(
        sql(`UPDATE post_targets SET post_id = $2 WHERE post_id = $1`, [postId, await newPost(theirs.workspaceId)]),
      ).rejects.toThrow(/account of another workspace/);
    });

    it('is checked once its post is visible when both are written by one statement', async () => {
      const insertBoth = (accountId: string) =>
        sql(
          `WITH post AS (
             INSERT INTO posts (workspace_id, content, publish_at, max_lateness_seconds, status)
             VALUES ($1, 'Hello', now(), 3600, 'scheduled') RETURNING id)
           INSERT INTO post_targets (post_id, account_id, platform, status, due_at)
           SELECT id, $2, 'x', 'scheduled', now() FROM post`,
          [ours.workspaceId, accountId],
        );
      await expect(insertBoth(ours.accountIds[0])).resolves.toBeDefined();
      await expect(insertBoth(theirs.accountIds[0])).rejects.toThrow(/account of another workspace/);
    });
  });

  describe('a post’s media', () => {
    it('may name media of its own workspace', async () => {
      const mediaId = await newMedia(ours.workspaceId);
      await expect(newPost(ours.workspaceId, [{ mediaId, altText: null }])).resolves.toBeDefined();
    });

    it('may not name media of another workspace, on insert or update', async () => {
      const mediaId = await newMedia(ours.workspaceId);
      const foreign = await newMedia(theirs.workspaceId);
      await expect(
        newPost(ours.workspaceId, [
          { mediaId, altText: null },
          { mediaId: foreign, altText: null },
        ]),
      ).rejects.toThrow(/media of another workspace/);
      const postId = await newPost(ours.workspaceId, [{ mediaId, altText: null }]);
      await expect(
        sql(`UPDATE posts SET media = $2 WHERE id = $1`, [
          postId,
          JSON.stringify([{ mediaId: foreign, altText: null }]),
        ]),
      ).rejects.toThrow(/media of another workspace/);
    });

    it('may not name media that does not exist', async () => {
      await expect(
        newPost(ours.workspaceId, [{ mediaId: '00000000-0000-4000-8000-000000000000', altText: null }]),
      ).rejects.toThrow(/media of another workspace/);
    });
  });

  it('keeps every referenced row in its workspace', async () => {
    const postId = await newPost(ours.workspaceId);
    const mediaId = await newMedia(ours.workspaceId);
    for (const [table, id] of [
      ['posts', postId],
      ['social_accounts', ours.accountIds[0]],
      ['media', mediaId],
    ]) {
      await expect(
        sql(`UPDATE ${table} SET workspace_id = $2 WHERE id = $1`, [id, theirs.workspaceId]),
      ).rejects.toThrow(/cannot move to another workspace/);
    }
  });
});
