import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { greet } from '@app/shared';
@Module({})
class WorkerModule {}
const app = await NestFactory.createApplicationContext(WorkerModule);
console.log(greet());
await app.close();
