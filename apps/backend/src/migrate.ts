import 'reflect-metadata';
import { AppConfig, dataSourceOptions, loadConfigOrExit, runMigrations } from '@app/shared';
import { DataSource } from 'typeorm';

/** `npm run db:migrate`: applies pending migrations and exits. */
const config: AppConfig = loadConfigOrExit('migrate');
const dataSource = await new DataSource(dataSourceOptions(config.databaseUrl, 'herald-migrate')).initialize();
try {
  const applied = await runMigrations(dataSource);
  console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Database is up to date');
} finally {
  await dataSource.destroy();
}
