import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';

/**
 * Test databases are named `herald_test_<run>_…`, where <run> starts with the run's start time in
 * seconds: a run only ever drops its own databases, plus those of runs over two hours old.
 */
export const TEST_DATABASE_PREFIX = 'herald_test_';
const STALE_AFTER_SECONDS = 2 * 3600;

/** Set by global-setup.ts for the whole run (test workers inherit the environment). */
export function runId(): string {
  const id = process.env.HERALD_TEST_RUN;
  if (!id) throw new Error('HERALD_TEST_RUN is not set: run the tests through jest (see jest.config.js)');
  return id;
}

export const templateDatabase = (run = runId()): string => `${TEST_DATABASE_PREFIX}${run}_template`;

/** The PostgreSQL server tests use; override with TEST_POSTGRES_URL (no database name). */
function serverUrl(): string {
  return (process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@localhost:5432').replace(/\/+$/, '');
}

export const databaseUrl = (name: string): string => `${serverUrl()}/${name}`;

export interface TestDatabase {
  name: string;
  url: string;
  /**
   * A connection as the database's owner, opened on first use and closed by `drop`: what tests inspect
   * rows with, as the backend's own pool acts as the API role and sees no row outside a workspace.
   */
  sql(): Promise<DataSource>;
  drop(): Promise<void>;
}

/** A fresh, migrated database of this test file's own, cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${TEST_DATABASE_PREFIX}${runId()}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateDatabase()}"`));
  const url = databaseUrl(name);
  let connection: Promise<DataSource> | undefined;
  return {
    name,
    url,
    sql: () => (connection ??= new DataSource({ type: 'postgres', url }).initialize()),
    async drop() {
      if (connection) await (await connection).destroy();
      await dropDatabase(name);
    },
  };
}

export const dropDatabase = (name: string): Promise<void> =>
  withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));

/** Databases of runs that started over two hours ago: left behind by a run that was killed. */
export async function staleTestDatabases(now = Date.now()): Promise<string[]> {
  const rows = await withAdmin((admin) =>
    admin.query<{ datname: string }[]>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `${TEST_DATABASE_PREFIX}%`,
    ]),
  );
  return rows
    .map((row) => row.datname)
    .filter((name) => {
      const started = Number(/^herald_test_(\d+)_/.exec(name)?.[1]);
      return !Number.isFinite(started) || started < now / 1000 - STALE_AFTER_SECONDS;
    });
}

export async function withAdmin<T>(work: (admin: DataSource) => Promise<T>): Promise<T> {
  const admin = await new DataSource({ type: 'postgres', url: databaseUrl('postgres') }).initialize();
  try {
    return await work(admin);
  } finally {
    await admin.destroy();
  }
}
