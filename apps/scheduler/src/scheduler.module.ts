import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig, ConfigModule, DatabaseModule, LivenessModule, PlatformsModule, QueueModule } from '@app/shared';
import { AlertsModule } from './alerts/alerts.module.js';
import { SchedulerLiveness } from './health/scheduler-liveness.js';
import { RenewalModule } from './renewal/renewal.module.js';
import { RequeueModule } from './requeue/requeue.module.js';
import { SweepModule } from './sweep/sweep.module.js';

@Module({
  imports: [
    DatabaseModule.register('scheduler'),
    QueueModule.register('producer'),
    ScheduleModule.forRoot(),
    PlatformsModule,
    RequeueModule,
    RenewalModule,
    SweepModule,
    AlertsModule,
    LivenessModule.register({ indicator: SchedulerLiveness, imports: [RequeueModule] }),
  ],
})
export class SchedulerModule {
  /** The module with the configuration validated at start-up. */
  static forRoot(config: AppConfig): DynamicModule {
    return { module: SchedulerModule, imports: [ConfigModule.forRoot(config)] };
  }
}
