import { Module } from '@nestjs/common';
import { MailModule } from '@app/shared';
import { SchedulerLock } from '../common/scheduler-lock.js';
import { AlertsCron } from './alerts.cron.js';
import { AlertsService } from './alerts.service.js';

@Module({
  imports: [MailModule],
  providers: [AlertsCron, AlertsService, SchedulerLock],
  exports: [AlertsService],
})
export class AlertsModule {}
