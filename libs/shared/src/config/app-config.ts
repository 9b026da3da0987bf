import { parseNetworkAllowlist } from '../net/network-allowlist.js';
import { Environment } from './environment.js';

/** An OAuth 2.0 app registered with a platform; `clientId` is empty when none is configured. */
export interface OAuthClientSettings {
  clientId: string;
  clientSecret: string;
  /** Where the platform's authorize page lives. */
  authBaseUrl: string;
}

export interface RedisConnectionSettings {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
}

/** Where media files are kept (MEDIA_STORAGE). */
export type MediaStorageSettings =
  | { kind: 'local'; directory: string }
  | {
      kind: 's3';
      bucket: string;
      region: string;
      /** Undefined: AWS S3 itself. */
      endpoint?: string;
      accessKeyId: string;
      secretAccessKey: string;
      forcePathStyle: boolean;
    };

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
  /** Where each platform's API lives (overridable for emulators and proxies), without trailing slash. */
  readonly platforms: {
    xApiBaseUrl: string;
    blueskyServiceUrl: string;
    linkedinApiBaseUrl: string;
    facebookApiBaseUrl: string;
    instagramApiBaseUrl: string;
    threadsApiBaseUrl: string;
    telegramApiBaseUrl: string;
    discordApiBaseUrl: string;
  };
  readonly oauth: Record<'x' | 'linkedin' | 'facebook' | 'threads', OAuthClientSettings>;
  /** Where people and platforms reach the backend (OAuth callbacks, media links), without trailing slash. */
  readonly publicBaseUrl: string;
  /** IPs and CIDRs that user-given URLs may reach though private (see PRIVATE_NETWORK_ALLOWLIST). */
  readonly privateNetworkAllowlist: string[];
  readonly media: { storage: MediaStorageSettings; maxBytes: number };
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
    this.platforms = {
      xApiBaseUrl: withoutTrailingSlash(env.X_API_BASE_URL),
      blueskyServiceUrl: withoutTrailingSlash(env.BLUESKY_SERVICE_URL),
      linkedinApiBaseUrl: withoutTrailingSlash(env.LINKEDIN_API_BASE_URL),
      facebookApiBaseUrl: withoutTrailingSlash(env.FACEBOOK_API_BASE_URL),
      instagramApiBaseUrl: withoutTrailingSlash(env.INSTAGRAM_API_BASE_URL),
      threadsApiBaseUrl: withoutTrailingSlash(env.THREADS_API_BASE_URL),
      telegramApiBaseUrl: withoutTrailingSlash(env.TELEGRAM_API_BASE_URL),
      discordApiBaseUrl: withoutTrailingSlash(env.DISCORD_API_BASE_URL),
    };
    this.oauth = {
      x: oauthClient(env.X_CLIENT_ID, env.X_CLIENT_SECRET, env.X_OAUTH_BASE_URL),
      linkedin: oauthClient(env.LINKEDIN_CLIENT_ID, env.LINKEDIN_CLIENT_SECRET, env.LINKEDIN_OAUTH_BASE_URL),
      facebook: oauthClient(env.FACEBOOK_APP_ID, env.FACEBOOK_APP_SECRET, env.FACEBOOK_OAUTH_BASE_URL),
      threads: oauthClient(env.THREADS_APP_ID, env.THREADS_APP_SECRET, env.THREADS_OAUTH_BASE_URL),
    };
    this.publicBaseUrl = withoutTrailingSlash(env.PUBLIC_BASE_URL);
    this.privateNetworkAllowlist = parseNetworkAllowlist(env.PRIVATE_NETWORK_ALLOWLIST).entries;
    this.media = {
      storage:
        env.MEDIA_STORAGE === 's3'
          ? {
              kind: 's3',
              bucket: env.S3_BUCKET,
              region: env.S3_REGION,
              endpoint: env.S3_ENDPOINT === '' ? undefined : withoutTrailingSlash(env.S3_ENDPOINT),
              accessKeyId: env.S3_ACCESS_KEY_ID,
              secretAccessKey: env.S3_SECRET_ACCESS_KEY,
              forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true',
            }
          : { kind: 'local', directory: env.MEDIA_STORAGE_DIR },
      maxBytes: env.MEDIA_MAX_BYTES,
    };
    this.logLevel = env.LOG_LEVEL;
  }
}

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

const oauthClient = (clientId: string, clientSecret: string, authBaseUrl: string): OAuthClientSettings => ({
  clientId: clientId.trim(),
  clientSecret: clientSecret.trim(),
  authBaseUrl: withoutTrailingSlash(authBaseUrl),
});

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
