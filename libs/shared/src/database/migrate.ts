import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';

// Any constant works; it only has to be the same in every Herald process.
const MIGRATION_LOCK_KEY = 4_242_001;

/**
 * Applies pending migrations under a PostgreSQL advisory lock, so several processes starting at once
 * take turns: the first migrates, the others wait and then find nothing left to do.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    const names = applied.map((migration) => migration.name);
    if (names.length > 0) new Logger('Migrations').log(`Applied ${names.join(', ')}`);
    return names;
  } finally {
    await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockRunner.release();
  }
}

const CONNECT_ATTEMPTS = 30;
const CONNECT_RETRY_MS = 2_000;

/**
 * Migrates through a connection of its own, as DATABASE_URL's user (the API's pool acts as a role that
 * may not change the schema), waiting for PostgreSQL while it is briefly unreachable.
 */
export async function migrateDatabase(databaseUrl: string, applicationName: string): Promise<string[]> {
  const dataSource = await connectPatiently(new DataSource(dataSourceOptions(databaseUrl, applicationName)));
  try {
    return await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function connectPatiently(dataSource: DataSource): Promise<DataSource> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.initialize();
    } catch (error) {
      if (attempt >= CONNECT_ATTEMPTS) throw error;
      new Logger('Migrations').warn(`PostgreSQL unreachable (attempt ${attempt}/${CONNECT_ATTEMPTS}); retrying`);
      await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
    }
  }
}
