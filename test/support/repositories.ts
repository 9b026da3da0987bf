import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  IdempotencyKeyRepository,
  PostRepository,
  PostTargetRepository,
  SocialAccountRepository,
  TransactionRunner,
  WorkspaceRepository,
} from '@app/shared';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** Every repository over a fresh test database of its own, wired as DatabaseModule wires them. */
export interface Repositories {
  database: TestDatabase;
  sql: DataSource;
  transactions: TransactionRunner;
  workspaces: WorkspaceRepository;
  accounts: SocialAccountRepository;
  posts: PostRepository;
  targets: PostTargetRepository;
  idempotencyKeys: IdempotencyKeyRepository;
  close(): Promise<void>;
}

export async function openRepositories(): Promise<Repositories> {
  const database = await createTestDatabase();
  const sql = await new DataSource(dataSourceOptions(database.url, 'herald-test')).initialize();
  return {
    database,
    sql,
    ...repositoriesOver(sql),
    async close() {
      await sql.destroy();
      await database.drop();
    },
  };
}

/** The repositories over a connection as the database's owner: as the worker and scheduler use them. */
export function repositoriesOver(sql: DataSource): Omit<Repositories, 'database' | 'sql' | 'close'> {
  const transactions = new TransactionRunner(sql);
  const posts = new PostRepository();
  return {
    transactions,
    workspaces: new WorkspaceRepository(transactions),
    accounts: new SocialAccountRepository(sql, transactions),
    posts,
    targets: new PostTargetRepository(sql, transactions, posts),
    idempotencyKeys: new IdempotencyKeyRepository(sql),
  };
}

/** A workspace with `count` X accounts (their credentials are opaque placeholders: nothing publishes here). */
export async function workspaceWithAccounts(
  repositories: Repositories,
  count: number,
): Promise<{ workspaceId: string; accountIds: string[] }> {
  const workspace = await repositories.workspaces.createWithApiKey('Data', randomBytes(16).toString('hex'));
  const accountIds = [];
  for (let i = 0; i < count; i++) {
    const account = await repositories.transactions.forWorkspace(workspace.id, (tx) =>
      repositories.accounts.create(
        tx,
        { workspaceId: workspace.id, platform: 'x', name: `@account${i}`, externalId: null },
        () => ({ encryptedCredentials: 'sealed', renewAt: null }),
      ),
    );
    accountIds.push(account.id);
  }
  return { workspaceId: workspace.id, accountIds };
}

/** Saves a post with one target per account, as PostsService does; its target ids come in account order. */
export async function insertPost(
  repositories: Repositories,
  workspaceId: string,
  accountIds: string[],
  publishAt = new Date(),
): Promise<{ postId: string; targetIds: string[] }> {
  return repositories.transactions.run(async (tx) => {
    const { id: postId } = await repositories.posts.insert(tx, {
      workspaceId,
      content: 'Hello',
      media: [],
      thread: [],
      publishAt,
    });
    const targets = accountIds.map((accountId) => ({ accountId, platform: 'x' as const, content: null }));
    await repositories.targets.insertForPost(tx, postId, publishAt, targets);
    const rows = await tx.query<{ id: string; account_id: string }[]>(
      `SELECT id, account_id FROM post_targets WHERE post_id = $1`,
      [postId],
    );
    return { postId, targetIds: accountIds.map((id) => rows.find((row) => row.account_id === id)!.id) };
  });
}
