import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ConfigModule, DatabaseModule, LivenessModule, QueueModule } from '@app/shared';
import { SchedulerLiveness } from './health/scheduler-liveness.js';
import { RequeueModule } from './requeue/requeue.module.js';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.register('scheduler'),
    QueueModule.register('producer'),
    ScheduleModule.forRoot(),
    RequeueModule,
    LivenessModule.register({ indicator: SchedulerLiveness, imports: [RequeueModule] }),
  ],
})
export class SchedulerModule {}
