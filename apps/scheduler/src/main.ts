import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@app/shared';
import { SchedulerModule } from './scheduler.module.js';

const config = loadConfigOrExit('scheduler');
const app = await NestFactory.createApplicationContext(SchedulerModule.forRoot(config));
app.enableShutdownHooks();
