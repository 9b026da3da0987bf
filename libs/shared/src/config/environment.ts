import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateIf,
  validateSync,
  ValidationError,
} from 'class-validator';
import { CronTime } from 'cron';
import { parseNetworkAllowlist } from '../net/network-allowlist.js';
import { BASE_URL, type PlatformDefinition, readSettings } from '../platforms/platform-definition.js';
import { PLATFORMS, type PlatformSettings } from '../platforms/platform.registry.js';
import { decryptionKeysProblems, ENCRYPTION_KEY_PATTERN } from './encryption-keys.js';
import { productionSecretProblems } from './production-secrets.js';
import { parseRedisClusterNodes } from './redis-cluster-nodes.js';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/**
 * Every environment variable Herald reads, with its default, except each platform's own: those come from
 * the platform definitions (see `platform.registry.ts`). Validated once at boot by {@link loadEnvironment};
 * the rest of the code reads it through `AppConfig`.
 */
export class Environment {
  /** Each platform's settings, read from the variables its definition names. */
  declare platforms: PlatformSettings;

  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@localhost:5432/herald';

  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://localhost:6379';

  /**
   * Start-up nodes of a Redis Cluster (`host:port`, comma-separated). Empty (the default): the single
   * Redis of REDIS_URL. Set: every Redis client talks to the cluster, taking only the username, password
   * and TLS (`rediss://`) from REDIS_URL, which must then name database 0 (a cluster has no other).
   */
  @IsString()
  REDIS_CLUSTER_NODES = '';

  /** Prefix of every Herald key in Redis (queue, rate limits), so several deployments (or test files) can share one Redis. */
  @Matches(/^[A-Za-z0-9:_-]+$/, { message: 'QUEUE_PREFIX may only hold letters, digits, ":", "_" and "-"' })
  QUEUE_PREFIX = 'herald';

  /** 0 picks a free port (tests). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /**
   * Port on which the worker and the scheduler serve their liveness check, `GET /health`: 200 while
   * they are doing their job, 503 naming what stops them. 0 (the default) serves none, so processes
   * on one host (npm start, tests) do not collide. The backend ignores it: its checks are on PORT.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  HEALTH_PORT = 0;

  /** Encrypts (and decrypts) every secret Herald stores or hands out: the current key of the key ring. */
  @IsString()
  @Matches(ENCRYPTION_KEY_PATTERN, { message: 'ENCRYPTION_KEY must be 32 bytes encoded as base64 (44 characters)' })
  ENCRYPTION_KEY: string;

  /**
   * Older (or not yet current) keys, comma-separated, accepted when decrypting and never used to
   * encrypt: the rest of the key ring, for rotating ENCRYPTION_KEY without downtime.
   */
  @IsString()
  DECRYPTION_KEYS = '';

  @IsString()
  @IsNotEmpty()
  @Matches(/^.{16,}$/, { message: 'ADMIN_TOKEN must be at least 16 characters' })
  ADMIN_TOKEN: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  WORKER_CONCURRENCY = 5;

  @IsString()
  @Matches(/^\S+(\s+\S+){4,5}$/, { message: 'SCHEDULER_CRON must be a cron expression with 5 or 6 fields' })
  SCHEDULER_CRON = '* * * * *';

  /** When the scheduler removes expired idempotency keys and uploads no post has used for 24 hours. */
  @IsString()
  @Matches(/^\S+(\s+\S+){4,5}$/, { message: 'SWEEP_CRON must be a cron expression with 5 or 6 fields' })
  SWEEP_CRON = '0 * * * *';

  /** Where people and platforms reach the backend: OAuth callbacks and the links platforms fetch images from. */
  @IsUrl(BASE_URL)
  PUBLIC_BASE_URL = 'http://localhost:3000';

  /**
   * Addresses (IPs or CIDRs, comma-separated) that URLs given by users may reach although they are
   * private, loopback or link-local: remote media and Mastodon instances. Empty: none (SSRF protection).
   */
  @IsString()
  PRIVATE_NETWORK_ALLOWLIST = '';

  /**
   * Addresses (IPs or CIDRs, comma-separated) of the reverse proxies in front of the backend. Only a
   * request arriving from one of them has its X-Forwarded-For believed when finding the client's
   * address (for per-address rate limits). Empty: none, the connecting peer is the client.
   */
  @IsString()
  TRUSTED_PROXIES = '';

  /** Length of every rate-limit window, in seconds: each budget below is per window. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  RATE_LIMIT_WINDOW_SECONDS = 60;

  /** Requests per window per API key, across all backend replicas. Generous: 50 busy clients on one key fit. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  RATE_LIMIT_KEY_REQUESTS = 30_000;

  /** Requests per window per client address that bring no API key (health checks, signed media links, 404s). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  RATE_LIMIT_ADDRESS_REQUESTS = 6_000;

  /** Failed authentications (wrong or missing API key or admin token) per window per client address. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  RATE_LIMIT_AUTH_FAILURES = 20;

  /** Requests per window per client address to the admin endpoints (ADMIN_TOKEN). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  RATE_LIMIT_ADMIN_REQUESTS = 30;

  /**
   * Sign-in attempts (and password-reset requests) per window for one email address, whoever makes them:
   * what stops guessing one person's password from many addresses.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  RATE_LIMIT_LOGIN_ACCOUNT_ATTEMPTS = 10;

  /** Sign-in attempts (and password-reset requests) per window per client address, whatever email they name. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  RATE_LIMIT_LOGIN_ADDRESS_ATTEMPTS = 30;

  /** Where uploaded and fetched images are kept: `local` (MEDIA_STORAGE_DIR) or `s3` (any S3-compatible store). */
  @IsIn(['local', 's3'])
  MEDIA_STORAGE: 'local' | 's3' = 'local';

  /** MEDIA_STORAGE=local: the folder, which the backend and the worker must both see. */
  @IsString()
  @IsNotEmpty()
  MEDIA_STORAGE_DIR = './data/media';

  /** The largest image Herald accepts, uploaded or fetched from a URL. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  MEDIA_MAX_BYTES = 20 * 1024 * 1024;

  /** How many of one post's remote images are downloaded at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(32)
  MEDIA_DOWNLOAD_CONCURRENCY = 4;

  /** The most bytes one post's remote images may add up to; the download that crosses it is cut off (413). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  MEDIA_DOWNLOAD_TOTAL_BYTES = 50 * 1024 * 1024;

  /** MEDIA_STORAGE=s3: the S3 API of a store other than AWS (MinIO, R2...); empty: AWS S3 itself. */
  @ValidateIf((env: Environment) => env.S3_ENDPOINT !== '')
  @IsUrl(BASE_URL)
  S3_ENDPOINT = '';

  @ValidateIf((env: Environment) => env.MEDIA_STORAGE === 's3')
  @IsNotEmpty({ message: 'S3_BUCKET is required when MEDIA_STORAGE=s3' })
  S3_BUCKET = '';

  @IsString()
  @IsNotEmpty()
  S3_REGION = 'us-east-1';

  @ValidateIf((env: Environment) => env.MEDIA_STORAGE === 's3')
  @IsNotEmpty({ message: 'S3_ACCESS_KEY_ID is required when MEDIA_STORAGE=s3' })
  S3_ACCESS_KEY_ID = '';

  @ValidateIf((env: Environment) => env.MEDIA_STORAGE === 's3')
  @IsNotEmpty({ message: 'S3_SECRET_ACCESS_KEY is required when MEDIA_STORAGE=s3' })
  S3_SECRET_ACCESS_KEY = '';

  /** `true` for stores that only serve bucket paths (`<endpoint>/<bucket>/<key>`), as MinIO by default. */
  @IsIn(['true', 'false'])
  S3_FORCE_PATH_STYLE: 'true' | 'false' = 'false';

  /** How long one call to a platform may take before it counts as a timeout. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120_000)
  PLATFORM_TIMEOUT_MS = 15_000;

  /**
   * How long a worker owns a target it is publishing. A target whose lease expires (its worker died)
   * is taken over. Must comfortably exceed PLATFORM_TIMEOUT_MS, or a slow publish could be taken over
   * while it is still running.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  PUBLISH_LEASE_SECONDS = 60;

  /** Publish attempts per target before it fails for good (transient errors only). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  PUBLISH_MAX_ATTEMPTS = 6;

  /** First retry delay; each further retry doubles it (with jitter), capped at one hour. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  RETRY_BASE_DELAY_MS = 5_000;

  /** How many due targets the scheduler requeues per database round trip. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  SCHEDULER_BATCH_SIZE = 500;

  /**
   * How many ticks of SCHEDULER_CRON ahead the scheduler keeps a delayed job for every waiting target,
   * so a flushed Redis delays no post due after the next tick. At least 2: with 1 the window would end
   * where the next pass starts, and a target due just after it would wait for that pass to reach it.
   */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(1_000)
  SCHEDULER_LOOKAHEAD_TICKS = 3;

  /** A session ends when unused for this many minutes (idle expiry). */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(525_600)
  SESSION_IDLE_MINUTES = 7 * 24 * 60;

  /** A session ends this many hours after sign-in, however active (absolute expiry). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(8_760)
  SESSION_MAX_HOURS = 30 * 24;

  /**
   * The SMTP server mail goes through (invitations, password resets, alerts): `smtp://user:pass@host:port`
   * or `smtps://…`. `npm start` runs a local one that keeps what it receives.
   */
  @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL = 'smtp://localhost:2525';

  /** The sender of Herald's mail. */
  @IsString()
  @IsNotEmpty()
  MAIL_FROM = 'Herald <herald@localhost>';

  /**
   * Single sign-on: the OpenID Connect provider's issuer (its discovery document is at
   * `<issuer>/.well-known/openid-configuration`). Empty (the default): no single sign-on, and its routes
   * answer 501. Set together with OIDC_CLIENT_ID and OIDC_CLIENT_SECRET; https in production.
   */
  @ValidateIf((env: Environment) => env.OIDC_ISSUER_URL !== '')
  @IsUrl(BASE_URL, { message: "OIDC_ISSUER_URL must be a URL (the provider's issuer identifier)" })
  OIDC_ISSUER_URL = '';

  /** The client id Herald is registered under at the provider (redirect URI: PUBLIC_BASE_URL/v1/auth/oidc/callback). */
  @IsString()
  OIDC_CLIENT_ID = '';

  /** The client's secret at the provider (sent with HTTP Basic authentication to its token endpoint). */
  @IsString()
  OIDC_CLIENT_SECRET = '';

  /** The scopes Herald asks for, space-separated: `openid` and `email` are needed. */
  @IsString()
  OIDC_SCOPES = 'openid email profile';

  /** What the sign-in page calls the provider (GET /v1/auth/oidc), e.g. `Acme SSO`. */
  @IsString()
  @IsNotEmpty()
  OIDC_DISPLAY_NAME = 'Single sign-on';
  /** How often the scheduler looks for new alerts to mail (failed posts, accounts to reconnect), in seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  ALERTS_INTERVAL_SECONDS = 30;

  /**
   * How long the first alert of a burst waits for others, in seconds, so they go out in one mail per
   * person. 0: each pass mails what it found.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  ALERTS_GROUP_SECONDS = 60;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';
}

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

const describe = (errors: ValidationError[]): string[] =>
  errors.flatMap((error) => Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message}`));

/** Reads and validates the environment, naming every bad variable at once. */
export function loadEnvironment(source: Record<string, string | undefined> = process.env): Environment {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const environment = plainToInstance(Environment, present, { exposeDefaultValues: true });
  const problems = describe(validateSync(environment, { skipMissingProperties: false }));
  problems.push(...crossFieldProblems(environment));
  environment.platforms = readPlatformSettings(present, problems);
  if (problems.length > 0) throw new InvalidEnvironmentError(problems);
  return environment;
}

function readPlatformSettings(variables: Record<string, string | undefined>, problems: string[]): PlatformSettings {
  const definitions: readonly PlatformDefinition[] = PLATFORMS;
  const settings = definitions.map((definition) => [
    definition.name,
    readSettings(definition.settings, variables, problems),
  ]);
  // Each entry is read by its own definition, so the whole has the shape PlatformSettings derives from them.
  return Object.fromEntries(settings) as PlatformSettings;
}

function crossFieldProblems(environment: Environment): string[] {
  const problems: string[] = [];
  for (const name of ['SCHEDULER_CRON', 'SWEEP_CRON'] as const) {
    if (typeof environment[name] !== 'string') continue;
    try {
      new CronTime(environment[name]);
    } catch (error) {
      problems.push(`${name}: not a valid cron expression (${(error as Error).message})`);
    }
  }
  for (const name of ['PRIVATE_NETWORK_ALLOWLIST', 'TRUSTED_PROXIES'] as const) {
    const { invalid } = parseNetworkAllowlist(String(environment[name]));
    if (invalid.length > 0) {
      problems.push(`${name}: must be IP addresses or CIDR ranges separated by commas; not one: ${invalid.join(', ')}`);
    }
  }
  problems.push(...redisClusterProblems(environment));
  problems.push(...decryptionKeysProblems(String(environment.ENCRYPTION_KEY), String(environment.DECRYPTION_KEYS)));
  if (environment.PUBLISH_LEASE_SECONDS * 1000 < environment.PLATFORM_TIMEOUT_MS * 2) {
    problems.push(
      'PUBLISH_LEASE_SECONDS: must be at least twice PLATFORM_TIMEOUT_MS, or a slow publish could be taken over',
    );
  }
  problems.push(...oidcProblems(environment));
  if (environment.NODE_ENV === 'production') problems.push(...productionSecretProblems({ ...environment }));
  return problems;
}

/** Single sign-on is all set or all unset, and speaks https to the provider in production. */
function oidcProblems(environment: Environment): string[] {
  const settings = ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;
  const missing = settings.filter((name) => environment[name] === '');
  if (missing.length === settings.length) return [];
  const problems = missing.map(
    (name) => `${name}: is required for single sign-on (set ${settings.join(', ')} together, or none of them)`,
  );
  const scopes = environment.OIDC_SCOPES.split(/\s+/);
  if (!scopes.includes('openid') || !scopes.includes('email')) {
    problems.push('OIDC_SCOPES: must include openid and email (space-separated)');
  }
  if (environment.NODE_ENV === 'production' && /^http:/i.test(environment.OIDC_ISSUER_URL)) {
    problems.push('OIDC_ISSUER_URL: must be an https:// URL in production');
  }
  return problems;
}

function redisClusterProblems(environment: Environment): string[] {
  const { nodes, invalid } = parseRedisClusterNodes(String(environment.REDIS_CLUSTER_NODES));
  if (invalid.length > 0) {
    return [`REDIS_CLUSTER_NODES: must be host:port entries separated by commas; not one: ${invalid.join(', ')}`];
  }
  if (nodes.length > 0 && /^rediss?:\/\/[^/]*\/0*[1-9]/.test(String(environment.REDIS_URL))) {
    return ['REDIS_URL: must name database 0 (or none) when REDIS_CLUSTER_NODES is set: a cluster has no other'];
  }
  return [];
}
