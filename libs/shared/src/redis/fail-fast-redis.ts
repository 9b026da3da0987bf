import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { createRedisClient, type RedisClient } from './redis-client.js';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * A Redis connection (a cluster's when one is configured) for counters that must never hold their
 * caller up (the API's rate limits, the publish pacing, the due ranks). Its commands fail at once while
 * Redis is unreachable (no offline queue, no retries, one second at most per command), so the caller can
 * go on without the counter instead of waiting; it reconnects in the background. On a cluster, keys a
 * command uses together must share AppConfig.queueKeyPrefix's hash tag.
 */
@Injectable()
export class FailFastRedis implements OnModuleInit, OnModuleDestroy {
  readonly client: RedisClient;

  constructor(config: AppConfig) {
    this.client = createRedisClient(config.redis, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1_000,
      connectTimeout: CONNECT_TIMEOUT_MS,
      retryStrategy: (times: number) => Math.min(times * 200, 5_000),
    });
    // Failures show in the callers' own logs (once per outage); ioredis would print every reconnect.
    this.client.on('error', () => undefined);
  }

  /**
   * Start-up waits for the connection to be ready or to fail, so the first requests are counted rather
   * than let through while it is still connecting; a Redis that is down does not hold start-up up.
   */
  async onModuleInit(): Promise<void> {
    const { client } = this;
    if (client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const settle = () => {
        clearTimeout(deadline);
        client.off('ready', settle).off('error', settle);
        resolve();
      };
      const deadline = setTimeout(settle, CONNECT_TIMEOUT_MS);
      client.once('ready', settle).once('error', settle);
    });
  }

  onModuleDestroy(): void {
    this.client.disconnect();
  }
}
