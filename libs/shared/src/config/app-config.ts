import { parseNetworkAllowlist } from '../net/network-allowlist.js';
import type { PlatformSettings } from '../platforms/platform.registry.js';
import { parseDecryptionKeys } from './encryption-keys.js';
import type { Environment } from './environment.js';
import { parseRedisClusterNodes, type RedisNode } from './redis-cluster-nodes.js';

export interface RedisConnectionSettings {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
  /** Set: a Redis Cluster reached through these start-up nodes (REDIS_CLUSTER_NODES); host, port and db are unused. */
  cluster?: RedisNode[];
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

/** The rate limits' budgets: each counts requests of one kind from one caller within a window. */
export type RateLimitBudget = 'apiKey' | 'address' | 'failedAuth' | 'admin' | 'loginAccount' | 'loginAddress';

export interface RateLimitSettings {
  windowSeconds: number;
  /** Requests (for `failedAuth`: failures) allowed per window in each budget. */
  limits: Record<RateLimitBudget, number>;
}

/** Single sign-on through the deployment's OpenID Connect provider (OIDC_*). */
export interface OidcSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  displayName: string;
}

/** The validated configuration, grouped by concern. Built once from {@link Environment} at boot. */
export class AppConfig {
  readonly environment: Environment['NODE_ENV'];
  readonly port: number;
  /** 0: no liveness endpoint. */
  readonly healthPort: number;
  readonly databaseUrl: string;
  readonly redis: RedisConnectionSettings;
  /** QUEUE_PREFIX: the start of every Herald key in Redis. */
  readonly queuePrefix: string;
  /**
   * BullMQ's key prefix. On a cluster it is QUEUE_PREFIX in braces, a hash tag: every key of the queue
   * then lands in one slot, as BullMQ's scripts, which touch several of them at once, require.
   */
  readonly queueKeyPrefix: string;
  /** The key ring: `current` encrypts, every key decrypts (see ENCRYPTION_KEY and DECRYPTION_KEYS). */
  readonly encryptionKeys: { current: Buffer; decryptOnly: Buffer[] };
  readonly adminToken: string;
  readonly worker: { concurrency: number };
  readonly publishing: {
    leaseSeconds: number;
    maxAttempts: number;
    retryBaseDelayMs: number;
    platformTimeoutMs: number;
  };
  readonly scheduler: { cron: string; batchSize: number; lookaheadTicks: number; sweepCron: string };
  /**
   * Each platform's settings (API hosts, OAuth apps), typed by its definition: `platforms.x.apiBaseUrl`.
   * API hosts are overridable for emulators and proxies, and kept without trailing slash.
   */
  readonly platforms: PlatformSettings;
  /** Where people and platforms reach the backend (OAuth callbacks, media links), without trailing slash. */
  readonly publicBaseUrl: string;
  /** IPs and CIDRs that user-given URLs may reach though private (see PRIVATE_NETWORK_ALLOWLIST). */
  readonly privateNetworkAllowlist: string[];
  /** IPs and CIDRs of the reverse proxies whose X-Forwarded-For the backend believes (TRUSTED_PROXIES). */
  readonly trustedProxies: string[];
  readonly rateLimits: RateLimitSettings;
  readonly media: {
    storage: MediaStorageSettings;
    maxBytes: number;
    /** The bounds of one post's remote images: downloads at once, and bytes in all. */
    downloads: { concurrency: number; totalBytes: number };
  };
  /** People's sessions: idle and absolute expiry. */
  readonly sessions: { idleSeconds: number; maxSeconds: number };
  /**
   * Whether Herald's cookies are `Secure` (sent back over HTTPS only): in production, and whenever
   * people reach Herald over HTTPS (PUBLIC_BASE_URL).
   */
  readonly secureCookies: boolean;
  readonly mail: { smtpUrl: string; from: string };
  /** Null: single sign-on is not configured. */
  readonly oidc: OidcSettings | null;
  /** Alert mails: how often the scheduler looks for them, and how long a burst's first waits for the rest. */
  readonly alerts: { intervalSeconds: number; groupSeconds: number };
  readonly logLevel: Environment['LOG_LEVEL'];

  constructor(env: Environment) {
    this.environment = env.NODE_ENV;
    this.port = env.PORT;
    this.healthPort = env.HEALTH_PORT;
    this.databaseUrl = env.DATABASE_URL;
    const cluster = parseRedisClusterNodes(env.REDIS_CLUSTER_NODES).nodes;
    this.redis = { ...parseRedisUrl(env.REDIS_URL), ...(cluster.length > 0 ? { cluster } : {}) };
    this.queuePrefix = env.QUEUE_PREFIX;
    this.queueKeyPrefix = this.redis.cluster ? `{${env.QUEUE_PREFIX}}` : env.QUEUE_PREFIX;
    this.encryptionKeys = {
      current: Buffer.from(env.ENCRYPTION_KEY, 'base64'),
      decryptOnly: parseDecryptionKeys(env.DECRYPTION_KEYS).map((key) => Buffer.from(key, 'base64')),
    };
    this.adminToken = env.ADMIN_TOKEN;
    this.worker = { concurrency: env.WORKER_CONCURRENCY };
    this.publishing = {
      leaseSeconds: env.PUBLISH_LEASE_SECONDS,
      maxAttempts: env.PUBLISH_MAX_ATTEMPTS,
      retryBaseDelayMs: env.RETRY_BASE_DELAY_MS,
      platformTimeoutMs: env.PLATFORM_TIMEOUT_MS,
    };
    this.scheduler = {
      cron: env.SCHEDULER_CRON,
      batchSize: env.SCHEDULER_BATCH_SIZE,
      lookaheadTicks: env.SCHEDULER_LOOKAHEAD_TICKS,
      sweepCron: env.SWEEP_CRON,
    };
    this.platforms = env.platforms;
    this.publicBaseUrl = withoutTrailingSlash(env.PUBLIC_BASE_URL);
    this.privateNetworkAllowlist = parseNetworkAllowlist(env.PRIVATE_NETWORK_ALLOWLIST).entries;
    this.trustedProxies = parseNetworkAllowlist(env.TRUSTED_PROXIES).entries;
    this.rateLimits = {
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      limits: {
        apiKey: env.RATE_LIMIT_KEY_REQUESTS,
        address: env.RATE_LIMIT_ADDRESS_REQUESTS,
        failedAuth: env.RATE_LIMIT_AUTH_FAILURES,
        admin: env.RATE_LIMIT_ADMIN_REQUESTS,
        loginAccount: env.RATE_LIMIT_LOGIN_ACCOUNT_ATTEMPTS,
        loginAddress: env.RATE_LIMIT_LOGIN_ADDRESS_ATTEMPTS,
      },
    };
    this.secureCookies = env.NODE_ENV === 'production' || this.publicBaseUrl.startsWith('https:');
    this.sessions = { idleSeconds: env.SESSION_IDLE_MINUTES * 60, maxSeconds: env.SESSION_MAX_HOURS * 3600 };
    this.mail = { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM };
    this.oidc =
      env.OIDC_ISSUER_URL === ''
        ? null
        : {
            issuerUrl: env.OIDC_ISSUER_URL,
            clientId: env.OIDC_CLIENT_ID,
            clientSecret: env.OIDC_CLIENT_SECRET,
            scopes: env.OIDC_SCOPES,
            displayName: env.OIDC_DISPLAY_NAME,
          };
    this.alerts = { intervalSeconds: env.ALERTS_INTERVAL_SECONDS, groupSeconds: env.ALERTS_GROUP_SECONDS };
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
      downloads: { concurrency: env.MEDIA_DOWNLOAD_CONCURRENCY, totalBytes: env.MEDIA_DOWNLOAD_TOTAL_BYTES },
    };
    this.logLevel = env.LOG_LEVEL;
  }
}

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

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
