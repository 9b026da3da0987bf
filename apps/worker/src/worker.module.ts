import { type DynamicModule, Module } from '@nestjs/common';
import {
  AppConfig,
  ConfigModule,
  DatabaseModule,
  LivenessModule,
  MediaModule,
  PlatformsModule,
  QueueModule,
} from '@app/shared';
import { WorkerLiveness } from './health/worker-liveness.js';
import { PublishModule } from './publish/publish.module.js';

@Module({
  imports: [
    DatabaseModule.register('worker'),
    QueueModule.register('consumer'),
    PlatformsModule,
    MediaModule,
    PublishModule,
    LivenessModule.register({ indicator: WorkerLiveness, imports: [PublishModule] }),
  ],
})
export class WorkerModule {
  /** The module with the configuration validated at start-up. */
  static forRoot(config: AppConfig): DynamicModule {
    return { module: WorkerModule, imports: [ConfigModule.forRoot(config)] };
  }
}
