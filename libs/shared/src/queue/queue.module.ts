import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { FailFastRedis } from '../redis/fail-fast-redis.js';
import { DueRanks } from './due-ranks.js';
import { PostQueue } from './post-queue.service.js';
import { QueueConnection, QueueConnectionModule, type QueueRole } from './queue-connection.js';
import { POST_QUEUE } from './queue.constants.js';

@Module({})
export class QueueModule {
  static register(role: QueueRole): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          imports: [QueueConnectionModule.register(role)],
          inject: [AppConfig, QueueConnection],
          useFactory: (config: AppConfig, connection: QueueConnection) => ({
            prefix: config.queueKeyPrefix,
            connection: connection.client,
          }),
        }),
        BullModule.registerQueue({ name: POST_QUEUE }),
      ],
      providers: [FailFastRedis, DueRanks, PostQueue],
      exports: [PostQueue, FailFastRedis, BullModule],
    };
  }
}
