import 'reflect-metadata';
import { AppConfig, loadConfigOrExit, migrateDatabase } from '@app/shared';

/** `npm run db:migrate`: applies pending migrations and exits. */
const config: AppConfig = loadConfigOrExit('migrate');
const applied = await migrateDatabase(config.databaseUrl, 'herald-migrate');
console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Database is up to date');
