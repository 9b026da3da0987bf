import { Module } from '@nestjs/common';
import { ConfigModule, DatabaseModule, LivenessModule, MediaModule, PlatformsModule, QueueModule } from '@app/shared';
import { WorkerLiveness } from './health/worker-liveness.js';
import { PublishModule } from './publish/publish.module.js';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.register('worker'),
    QueueModule.register('consumer'),
    PlatformsModule,
    MediaModule,
    PublishModule,
    LivenessModule.register({ indicator: WorkerLiveness, imports: [PublishModule] }),
  ],
})
export class WorkerModule {}
