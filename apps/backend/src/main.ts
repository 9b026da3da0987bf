import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfigOrExit, migrateDatabase } from '@app/shared';
import { BackendModule } from './backend.module.js';
import { configureBackend } from './backend.setup.js';

const config = loadConfigOrExit('backend');
// Before the app: its pool connects as the API role, which the migrations create.
await migrateDatabase(config.databaseUrl, 'herald-backend');
const app = configureBackend(await NestFactory.create<NestExpressApplication>(BackendModule.forRoot(config)));
await app.listen(config.port);
