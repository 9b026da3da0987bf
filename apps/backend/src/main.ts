import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfigOrExit, runMigrations } from '@app/shared';
import { DataSource } from 'typeorm';
import { BackendModule } from './backend.module.js';
import { configureBackend } from './backend.setup.js';

const config = loadConfigOrExit('backend');
const app = configureBackend(await NestFactory.create<NestExpressApplication>(BackendModule.forRoot(config)));
await runMigrations(app.get(DataSource));
await app.listen(config.port);
