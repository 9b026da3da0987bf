import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@app/shared';
import { SchedulerModule } from './scheduler.module.js';

loadConfigOrExit('scheduler');
const app = await NestFactory.createApplicationContext(SchedulerModule);
app.enableShutdownHooks();
