import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { createRedisClient, type RedisClient } from '../redis/redis-client.js';

/**
 * - `producer` (backend, scheduler): commands fail fast while Redis is down instead of piling up in
 *   memory, so an API request never hangs on Redis; PostgreSQL keeps the intent meanwhile.
 * - `consumer` (worker): commands wait for the reconnection, so the worker resumes by itself.
 */
export type QueueRole = 'producer' | 'consumer';

/**
 * The Redis client BullMQ's queue uses (a worker duplicates it for its own connections). Handed to
 * BullMQ as a client rather than as options because only a client can be a cluster; BullMQ leaves a
 * client it was given open, so this closes it. Built by {@link QueueConnectionModule} for its role.
 */
export class QueueConnection implements OnApplicationShutdown {
  readonly client: RedisClient;

  constructor(config: AppConfig, role: QueueRole) {
    this.client = createRedisClient(config.redis, {
      enableOfflineQueue: role === 'consumer',
      // A worker refuses a client that gives up on commands: its blocking fetch must wait for Redis.
      maxRetriesPerRequest: role === 'producer' ? 1 : null,
      connectTimeout: 5_000,
      retryStrategy: (times: number) => Math.min(times * 200, 5_000),
    });
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}

@Module({})
export class QueueConnectionModule {
  static register(role: QueueRole): DynamicModule {
    return {
      module: QueueConnectionModule,
      providers: [
        {
          provide: QueueConnection,
          inject: [AppConfig],
          useFactory: (config: AppConfig) => new QueueConnection(config, role),
        },
      ],
      exports: [QueueConnection],
    };
  }
}
