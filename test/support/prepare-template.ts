/**
 * Builds the migrated template database each test file clones (CREATE DATABASE … TEMPLATE), which
 * takes milliseconds and isolates files from each other. Run by global-setup.ts through tsx, because
 * Jest's global setup cannot load the TypeScript migrations itself.
 */
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../libs/shared/src/database/data-source-options.js';
import { adminDatabaseUrl, databaseUrl, TEMPLATE_DATABASE, TEST_DATABASE_PREFIX } from './test-database.js';

const admin = await new DataSource({ type: 'postgres', url: adminDatabaseUrl() }).initialize();
try {
  const leftovers = (await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
    `${TEST_DATABASE_PREFIX}%`,
  ])) as { datname: string }[];
  for (const { datname } of leftovers) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${TEMPLATE_DATABASE}"`);
} finally {
  await admin.destroy();
}

const template = await new DataSource({ type: 'postgres', url: databaseUrl(TEMPLATE_DATABASE), migrations: MIGRATIONS }).initialize();
try {
  await template.runMigrations();
} finally {
  await template.destroy();
}
