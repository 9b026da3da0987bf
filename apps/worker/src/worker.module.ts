import { Module } from '@nestjs/common';
import { ConfigModule, DatabaseModule, PlatformsModule, QueueModule } from '@app/shared';
import { PublishModule } from './publish/publish.module.js';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.register('worker'),
    QueueModule.register('consumer'),
    PlatformsModule,
    PublishModule,
  ],
})
export class WorkerModule {}
