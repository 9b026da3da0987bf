import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';

export const TEST_DATABASE_PREFIX = 'herald_test_';
export const TEMPLATE_DATABASE = `${TEST_DATABASE_PREFIX}template`;

/** The PostgreSQL server tests use; override with TEST_POSTGRES_URL (no database name). */
function serverUrl(): string {
  return (process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@localhost:5432').replace(/\/+$/, '');
}

export const databaseUrl = (name: string): string => `${serverUrl()}/${name}`;
export const adminDatabaseUrl = (): string => databaseUrl('postgres');

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of this test file's own, cloned from the template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${TEST_DATABASE_PREFIX}${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DATABASE}"`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

async function withAdmin<T>(work: (admin: DataSource) => Promise<T>): Promise<T> {
  const admin = await new DataSource({ type: 'postgres', url: adminDatabaseUrl() }).initialize();
  try {
    return await work(admin);
  } finally {
    await admin.destroy();
  }
}
