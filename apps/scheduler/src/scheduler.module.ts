import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ConfigModule, DatabaseModule, QueueModule } from '@app/shared';
import { RequeueModule } from './requeue/requeue.module.js';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.register('scheduler'),
    QueueModule.register('producer'),
    ScheduleModule.forRoot(),
    RequeueModule,
  ],
})
export class SchedulerModule {}
