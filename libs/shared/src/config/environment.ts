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
  validateSync,
  ValidationError,
} from 'class-validator';
import { CronTime } from 'cron';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/**
 * Every environment variable Herald reads, with its default. Validated once at boot by
 * {@link loadEnvironment}; the rest of the code reads it through `AppConfig`.
 */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@localhost:5432/herald';

  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://localhost:6379';

  /** Prefix of every BullMQ key in Redis, so several deployments (or test files) can share one Redis. */
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

  @IsString()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'ENCRYPTION_KEY must be 32 bytes encoded as base64 (44 characters)' })
  ENCRYPTION_KEY: string;

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

  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  X_API_BASE_URL = 'https://api.x.com';

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

  /**
   * Publishes per second across all workers (a BullMQ global rate limit), so the backlog after an
   * outage goes out oldest-first at a steady pace instead of as one burst that gets accounts flagged.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  PUBLISH_RATE_PER_SECOND = 50;

  /** How many due targets the scheduler requeues per database round trip. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  SCHEDULER_BATCH_SIZE = 500;

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
  if (problems.length > 0) throw new InvalidEnvironmentError(problems);
  return environment;
}

function crossFieldProblems(environment: Environment): string[] {
  const problems: string[] = [];
  if (typeof environment.SCHEDULER_CRON === 'string') {
    try {
      new CronTime(environment.SCHEDULER_CRON);
    } catch (error) {
      problems.push(`SCHEDULER_CRON: not a valid cron expression (${(error as Error).message})`);
    }
  }
  if (environment.PUBLISH_LEASE_SECONDS * 1000 < environment.PLATFORM_TIMEOUT_MS * 2) {
    problems.push(
      'PUBLISH_LEASE_SECONDS: must be at least twice PLATFORM_TIMEOUT_MS, or a slow publish could be taken over',
    );
  }
  return problems;
}
