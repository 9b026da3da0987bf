import { Module } from '@nestjs/common';
import { RequeueCron } from './requeue.cron.js';
import { RequeueService } from './requeue.service.js';
import { SchedulerLock } from './scheduler-lock.js';

@Module({
  providers: [RequeueCron, RequeueService, SchedulerLock],
})
export class RequeueModule {}
