import { Module } from '@nestjs/common';
import { RequeueProgress } from './requeue-progress.js';
import { RequeueCron } from './requeue.cron.js';
import { RequeueService } from './requeue.service.js';
import { SchedulerLock } from '../common/scheduler-lock.js';

@Module({
  providers: [RequeueCron, RequeueService, RequeueProgress, SchedulerLock],
  exports: [RequeueProgress],
})
export class RequeueModule {}
