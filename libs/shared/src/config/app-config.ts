import { Environment } from './environment.js';

export interface RedisConnectionSettings {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
}

/** The validated configuration, grouped by concern. Built once from {@link Environment} at boot. */
export class AppConfig {
  readonly environment: Environment['NODE_ENV'];
  readonly port: number;
  /** 0: no liveness endpoint. */
  readonly healthPort: number;
  readonly databaseUrl: string;
  readonly redis: RedisConnectionSettings;
  readonly queuePrefix: string;
  readonly encryptionKey: Buffer;
  readonly adminToken: string;
  readonly worker: { concurrency: number };
  readonly publishing: {
    leaseSeconds: number;
    maxAttempts: number;
    retryBaseDelayMs: number;
    platformTimeoutMs: number;
    ratePerSecond: number;
  };
  readonly scheduler: { cron: string; batchSize: number };
  readonly platforms: { xApiBaseUrl: string };
  readonly logLevel: Environment['LOG_LEVEL'];

  constructor(env: Environment) {
    this.environment = env.NODE_ENV;
    this.port = env.PORT;
    this.healthPort = env.HEALTH_PORT;
    this.databaseUrl = env.DATABASE_URL;
    this.redis = parseRedisUrl(env.REDIS_URL);
    this.queuePrefix = env.QUEUE_PREFIX;
    this.encryptionKey = Buffer.from(env.ENCRYPTION_KEY, 'base64');
    this.adminToken = env.ADMIN_TOKEN;
    this.worker = { concurrency: env.WORKER_CONCURRENCY };
    this.publishing = {
      leaseSeconds: env.PUBLISH_LEASE_SECONDS,
      maxAttempts: env.PUBLISH_MAX_ATTEMPTS,
      retryBaseDelayMs: env.RETRY_BASE_DELAY_MS,
      platformTimeoutMs: env.PLATFORM_TIMEOUT_MS,
      ratePerSecond: env.PUBLISH_RATE_PER_SECOND,
    };
    this.scheduler = { cron: env.SCHEDULER_CRON, batchSize: env.SCHEDULER_BATCH_SIZE };
    this.platforms = { xApiBaseUrl: env.X_API_BASE_URL.replace(/\/+$/, '') };
    this.logLevel = env.LOG_LEVEL;
  }
}

function parseRedisUrl(value: string): RedisConnectionSettings {
  const url = new URL(value);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 6379,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
