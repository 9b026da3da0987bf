import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { Redis } from 'ioredis';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * A Redis connection for counters that must never hold their caller up (the API's rate limits, the
 * publish pacing, the due ranks). Its commands fail at once while Redis is unreachable (no offline
 * queue, no retries, one second at most per command), so the caller can go on without the counter
 * instead of waiting; it reconnects in the background.
 */
@Injectable()
export class FailFastRedis extends Redis implements OnModuleInit, OnModuleDestroy {
  constructor(config: AppConfig) {
    super({
      ...config.redis,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1_000,
      connectTimeout: CONNECT_TIMEOUT_MS,
      retryStrategy: (times: number) => Math.min(times * 200, 5_000),
    });
    // Failures show in the callers' own logs (once per outage); ioredis would print every reconnect.
    this.on('error', () => undefined);
  }

  /**
   * Start-up waits for the connection to be ready or to fail, so the first requests are counted rather
   * than let through while it is still connecting; a Redis that is down does not hold start-up up.
   */
  async onModuleInit(): Promise<void> {
    if (this.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const settle = () => {
        clearTimeout(deadline);
        this.off('ready', settle).off('error', settle);
        resolve();
      };
      const deadline = setTimeout(settle, CONNECT_TIMEOUT_MS);
      this.once('ready', settle).once('error', settle);
    });
  }

  onModuleDestroy(): void {
    this.disconnect();
  }
}
