import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { FailFastRedis } from '../redis/fail-fast-redis.js';
import { DueRanks } from './due-ranks.js';
import { PostQueue } from './post-queue.service.js';
import { POST_QUEUE } from './queue.constants.js';

/**
 * - `producer` (backend, scheduler): commands fail fast while Redis is down instead of piling up in
 *   memory, so an API request never hangs on Redis; PostgreSQL keeps the intent meanwhile.
 * - `consumer` (worker): commands wait for the reconnection, so the worker resumes by itself.
 */
export type QueueRole = 'producer' | 'consumer';

@Module({})
export class QueueModule {
  static register(role: QueueRole): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            prefix: config.queuePrefix,
            connection: {
              ...config.redis,
              enableOfflineQueue: role === 'consumer',
              connectTimeout: 5_000,
              retryStrategy: (times: number) => Math.min(times * 200, 5_000),
              ...(role === 'producer' ? { maxRetriesPerRequest: 1 } : {}),
            },
          }),
        }),
        BullModule.registerQueue({ name: POST_QUEUE }),
      ],
      providers: [FailFastRedis, DueRanks, PostQueue],
      exports: [PostQueue, FailFastRedis, BullModule],
    };
  }
}
