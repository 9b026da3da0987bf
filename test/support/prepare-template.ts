/**
 * Builds this run's migrated template database, which each test file clones (CREATE DATABASE …
 * TEMPLATE): milliseconds per file, and files never see each other's data. Run by global-setup.ts
 * through tsx, because Jest's global setup cannot load the TypeScript migrations itself.
 */
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '@app/shared';
import { databaseUrl, dropDatabase, staleTestDatabases, templateDatabase, withAdmin } from './test-database.js';

for (const name of await staleTestDatabases()) await dropDatabase(name);

const template = templateDatabase();
await withAdmin((admin) => admin.query(`CREATE DATABASE "${template}"`));
const dataSource = await new DataSource({
  type: 'postgres',
  url: databaseUrl(template),
  migrations: MIGRATIONS,
}).initialize();
try {
  await dataSource.runMigrations();
} finally {
  await dataSource.destroy();
}
