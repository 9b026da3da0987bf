import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@app/shared';
import { Redis } from 'ioredis';

/**
 * The rate limiter's own Redis connection. Its commands fail at once while Redis is unreachable (no
 * offline queue, no retries, one second at most per command), so the limiter can let requests through
 * instead of holding them; it reconnects in the background.
 */
@Injectable()
export class RateLimitRedis extends Redis implements OnModuleDestroy {
  constructor(config: AppConfig) {
    super({
      ...config.redis,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1_000,
      connectTimeout: 5_000,
      retryStrategy: (times: number) => Math.min(times * 200, 5_000),
    });
    // Failures show in the limiter's own log (once per outage); ioredis would print every reconnect.
    this.on('error', () => undefined);
  }

  onModuleDestroy(): void {
    this.disconnect();
  }
}
