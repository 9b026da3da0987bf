import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@app/shared';
import { WorkerModule } from './worker.module.js';

const config = loadConfigOrExit('worker');
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config));
// On SIGTERM, BullMQ's worker.close() lets active jobs finish before the process exits.
app.enableShutdownHooks();
