import { AppConfig, loadEnvironment } from '@app/shared';
import { TEST_REDIS_URL } from './test-redis.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 42).toString('base64');

/**
 * The environment of a test's Herald processes: its own database and Redis prefix, and short
 * timeouts so failure paths play out in seconds.
 */
export function testEnvironment(
  options: { databaseUrl: string; queuePrefix: string; xApiBaseUrl?: string },
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: options.queuePrefix,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    X_API_BASE_URL: options.xApiBaseUrl ?? 'http://127.0.0.1:9',
    PORT: '0',
    WORKER_CONCURRENCY: '4',
    SCHEDULER_CRON: '*/2 * * * * *',
    PLATFORM_TIMEOUT_MS: '2000',
    PUBLISH_LEASE_SECONDS: '5',
    PUBLISH_MAX_ATTEMPTS: '3',
    RETRY_BASE_DELAY_MS: '200',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

export const testConfig = (environment: Record<string, string>): AppConfig =>
  new AppConfig(loadEnvironment(environment));

/** Settings that let a backend on `port` connect X accounts through the emulator's OAuth app. */
export const xOAuthSettings = (
  emulator: { url: string; oauthClient: { clientId: string; clientSecret?: string } },
  port: number,
): Record<string, string> => ({
  PORT: String(port),
  PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
  X_OAUTH_BASE_URL: emulator.url,
  X_CLIENT_ID: emulator.oauthClient.clientId,
  X_CLIENT_SECRET: emulator.oauthClient.clientSecret ?? '',
});

/** What the built processes need to run as deployed against private servers and the X emulator. */
export const deployedEnvironment = (services: {
  databaseUrl: string;
  redisUrl: string;
  xApiBaseUrl: string;
  port: number;
}): Record<string, string> => ({
  NODE_ENV: 'production',
  DATABASE_URL: services.databaseUrl,
  REDIS_URL: services.redisUrl,
  X_API_BASE_URL: services.xApiBaseUrl,
  ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
  ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  PORT: String(services.port),
});
