import { describe, expect, it } from '@jest/globals';
import { AppConfig } from './app-config.js';
import { InvalidEnvironmentError, loadEnvironment } from './environment.js';
import { DEMO_SECRETS } from './production-secrets.js';

const required = { ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'), ADMIN_TOKEN: 'a-long-admin-token' };

describe('loadEnvironment', () => {
  it('applies the documented defaults', () => {
    const config = new AppConfig(loadEnvironment(required));
    expect(config.port).toBe(3000);
    expect(config.scheduler.cron).toBe('* * * * *');
    expect(config.scheduler.lookaheadTicks).toBe(3);
    expect(config.platforms.x.apiBaseUrl).toBe('https://api.x.com');
    expect(config.redis).toMatchObject({ host: 'localhost', port: 6379, db: 0 });
    expect(config.encryptionKeys).toEqual({ current: Buffer.alloc(32, 3), decryptOnly: [] });
  });

  describe('in production', () => {
    const production = { ...required, NODE_ENV: 'production' };

    it.each([
      [
        'the demo ENCRYPTION_KEY',
        { ENCRYPTION_KEY: DEMO_SECRETS.ENCRYPTION_KEY },
        /- ENCRYPTION_KEY: is the public demo value/,
      ],
      ['the demo ADMIN_TOKEN', { ADMIN_TOKEN: DEMO_SECRETS.ADMIN_TOKEN }, /- ADMIN_TOKEN: is the public demo value/],
      ['sixteen a', { ADMIN_TOKEN: 'a'.repeat(16) }, /- ADMIN_TOKEN: must have at least 8 distinct characters/],
      [
        'seven distinct characters',
        { ADMIN_TOKEN: 'abcdefgabcdefgabcdefg' },
        /- ADMIN_TOKEN: must have at least 8 distinct/,
      ],
      [
        'fifteen characters',
        { ADMIN_TOKEN: 'abcdefghijklmno' },
        /- ADMIN_TOKEN: ADMIN_TOKEN must be at least 16 characters/,
      ],
    ])('refuses to start with %s, naming the variable', (_, secrets, problem) => {
      expect(() => loadEnvironment({ ...production, ...secrets })).toThrow(problem);
    });

    it('starts with secrets of its own', () => {
      expect(loadEnvironment({ ...production, ADMIN_TOKEN: 'k3Qv9-xZ27pLmW4s' }).NODE_ENV).toBe('production');
    });

    it('leaves the demo secrets to development and tests', () => {
      expect(() => loadEnvironment({ ...DEMO_SECRETS, ADMIN_TOKEN: 'a'.repeat(16) })).not.toThrow();
    });
  });

  it('accepts a 6-field cron with seconds', () => {
    expect(loadEnvironment({ ...required, SCHEDULER_CRON: '*/2 * * * * *' }).SCHEDULER_CRON).toBe('*/2 * * * * *');
  });

  it('keeps jobs at least two ticks ahead', () => {
    expect(
      new AppConfig(loadEnvironment({ ...required, SCHEDULER_LOOKAHEAD_TICKS: '2' })).scheduler.lookaheadTicks,
    ).toBe(2);
    expect(() => loadEnvironment({ ...required, SCHEDULER_LOOKAHEAD_TICKS: '1' })).toThrow(/SCHEDULER_LOOKAHEAD_TICKS/);
    expect(() => loadEnvironment({ ...required, SCHEDULER_LOOKAHEAD_TICKS: 'some' })).toThrow(
      /SCHEDULER_LOOKAHEAD_TICKS/,
    );
  });

  it('names every bad variable at once', () => {
    const attempt = () =>
      loadEnvironment({
        ADMIN_TOKEN: 'short',
        ENCRYPTION_KEY: 'bm90IDMyIGJ5dGVz',
        PORT: 'eighty',
        SCHEDULER_CRON: '61 * * * *',
        SWEEP_CRON: 'hourly',
        DATABASE_URL: 'mysql://nope',
        X_API_BASE_URL: 'ftp://x',
      });
    expect(attempt).toThrow(InvalidEnvironmentError);
    try {
      attempt();
    } catch (error) {
      const named = (error as InvalidEnvironmentError).problems.map((problem) => problem.split(':')[0]);
      expect(new Set(named)).toEqual(
        new Set([
          'ADMIN_TOKEN',
          'ENCRYPTION_KEY',
          'PORT',
          'SCHEDULER_CRON',
          'SWEEP_CRON',
          'DATABASE_URL',
          'X_API_BASE_URL',
        ]),
      );
    }
  });

  it('requires the secrets', () => {
    expect(() => loadEnvironment({})).toThrow(/ENCRYPTION_KEY[\s\S]*ADMIN_TOKEN|ADMIN_TOKEN[\s\S]*ENCRYPTION_KEY/);
  });

  it('refuses a lease too short for the platform timeout', () => {
    expect(() => loadEnvironment({ ...required, PLATFORM_TIMEOUT_MS: '20000', PUBLISH_LEASE_SECONDS: '30' })).toThrow(
      /PUBLISH_LEASE_SECONDS/,
    );
  });

  it('parses PRIVATE_NETWORK_ALLOWLIST as addresses and ranges, naming each entry that is neither', () => {
    expect(
      new AppConfig(loadEnvironment({ ...required, PRIVATE_NETWORK_ALLOWLIST: ' 127.0.0.1, fd00::/8 ' }))
        .privateNetworkAllowlist,
    ).toEqual(['127.0.0.1', 'fd00::/8']);
    expect(() => loadEnvironment({ ...required, PRIVATE_NETWORK_ALLOWLIST: '10.0.0.1,1.2.3.4.5' })).toThrow(
      /PRIVATE_NETWORK_ALLOWLIST: .*not one: 1\.2\.3\.4\.5$/m,
    );
  });

  it('parses TRUSTED_PROXIES like the allowlist, and reads the rate limits with their defaults', () => {
    const config = new AppConfig(loadEnvironment({ ...required, TRUSTED_PROXIES: '10.0.0.0/8, ::1' }));
    expect(config.trustedProxies).toEqual(['10.0.0.0/8', '::1']);
    expect(config.rateLimits).toEqual({
      windowSeconds: 60,
      limits: { apiKey: 30_000, address: 6_000, failedAuth: 20, admin: 30, loginAccount: 10, loginAddress: 30 },
    });
    expect(() => loadEnvironment({ ...required, TRUSTED_PROXIES: 'proxy.internal' })).toThrow(
      /TRUSTED_PROXIES: .*not one: proxy\.internal$/m,
    );
    expect(() =>
      loadEnvironment({ ...required, RATE_LIMIT_KEY_REQUESTS: '0', RATE_LIMIT_WINDOW_SECONDS: 'x' }),
    ).toThrow(
      /RATE_LIMIT_KEY_REQUESTS[\s\S]*RATE_LIMIT_WINDOW_SECONDS|RATE_LIMIT_WINDOW_SECONDS[\s\S]*RATE_LIMIT_KEY_REQUESTS/,
    );
  });

  it('reads Redis credentials, database number and TLS from REDIS_URL', () => {
    const config = new AppConfig(loadEnvironment({ ...required, REDIS_URL: 'rediss://user:p%40ss@cache:6380/2' }));
    expect(config.redis).toEqual({ host: 'cache', port: 6380, username: 'user', password: 'p@ss', db: 2, tls: {} });
  });

  it('reads a Redis Cluster from REDIS_CLUSTER_NODES, with credentials and TLS from REDIS_URL and a hash-tagged queue prefix', () => {
    const single = new AppConfig(loadEnvironment({ ...required, QUEUE_PREFIX: 'acme' }));
    expect(single.redis.cluster).toBeUndefined();
    expect(single.queueKeyPrefix).toBe('acme');

    const config = new AppConfig(
      loadEnvironment({
        ...required,
        REDIS_URL: 'rediss://user:secret@ignored:6379',
        REDIS_CLUSTER_NODES: 'redis-0:7000, redis-1:7001',
        QUEUE_PREFIX: 'acme',
      }),
    );
    expect(config.redis).toMatchObject({
      username: 'user',
      password: 'secret',
      tls: {},
      cluster: [
        { host: 'redis-0', port: 7000 },
        { host: 'redis-1', port: 7001 },
      ],
    });
    expect(config.queuePrefix).toBe('acme');
    expect(config.queueKeyPrefix).toBe('{acme}');
  });

  it('refuses cluster nodes that are not host:port, and a database other than 0 on a cluster', () => {
    expect(() => loadEnvironment({ ...required, REDIS_CLUSTER_NODES: 'redis-0:7000,redis-1' })).toThrow(
      /REDIS_CLUSTER_NODES: .*not one: redis-1$/m,
    );
    expect(() =>
      loadEnvironment({ ...required, REDIS_URL: 'redis://cache:6379/2', REDIS_CLUSTER_NODES: 'redis-0:7000' }),
    ).toThrow(/REDIS_URL: must name database 0/);
    expect(
      loadEnvironment({ ...required, REDIS_URL: 'redis://cache:6379/0', REDIS_CLUSTER_NODES: 'redis-0:7000' }),
    ).toBeDefined();
    expect(loadEnvironment({ ...required, REDIS_URL: 'redis://cache:6379/2' })).toBeDefined();
  });

  it("reads each platform's settings from its definition, typed by platform", () => {
    const config = new AppConfig(
      loadEnvironment({
        ...required,
        BLUESKY_SERVICE_URL: 'http://127.0.0.1:4569/',
        FACEBOOK_APP_ID: ' 1234 ',
        FACEBOOK_APP_SECRET: 'secret',
      }),
    );
    expect(config.platforms.bluesky.serviceUrl).toBe('http://127.0.0.1:4569');
    expect(config.platforms.threads).toEqual({
      apiBaseUrl: 'https://graph.threads.net',
      oauth: { clientId: '', clientSecret: '', authBaseUrl: 'https://threads.net' },
      pacing: { account: { count: 250, seconds: 86_400 }, app: null },
    });
    // Facebook and Instagram are connected through one Meta app.
    const metaApp = { clientId: '1234', clientSecret: 'secret', authBaseUrl: 'https://www.facebook.com' };
    expect(config.platforms.facebook.oauth).toEqual(metaApp);
    expect(config.platforms.instagram.oauth).toEqual(metaApp);
  });

  it("names a platform's bad variable along with the others", () => {
    expect(() => loadEnvironment({ ...required, PORT: 'eighty', THREADS_OAUTH_BASE_URL: 'threads' })).toThrow(
      /PORT[\s\S]*THREADS_OAUTH_BASE_URL: THREADS_OAUTH_BASE_URL must be a URL address/,
    );
  });

  describe('single sign-on (OIDC_*)', () => {
    const oidc = {
      OIDC_ISSUER_URL: 'https://login.example.com/realms/acme',
      OIDC_CLIENT_ID: 'herald',
      OIDC_CLIENT_SECRET: 'client-secret',
    };

    it('is off by default, and reads the provider and scopes when set', () => {
      expect(new AppConfig(loadEnvironment(required)).oidc).toBeNull();
      expect(new AppConfig(loadEnvironment({ ...required, ...oidc })).oidc).toEqual({
        issuerUrl: 'https://login.example.com/realms/acme',
        clientId: 'herald',
        clientSecret: 'client-secret',
        scopes: 'openid email profile',
        displayName: 'Single sign-on',
      });
    });

    it.each([
      ['a client id without issuer', { OIDC_CLIENT_ID: 'herald' }, /- OIDC_ISSUER_URL: is required for single sign-on/],
      [
        'an issuer without secret',
        { OIDC_ISSUER_URL: oidc.OIDC_ISSUER_URL, OIDC_CLIENT_ID: 'herald' },
        /- OIDC_CLIENT_SECRET: is required for single sign-on/,
      ],
      [
        'an issuer that is no URL',
        { ...oidc, OIDC_ISSUER_URL: 'login.example' },
        /- OIDC_ISSUER_URL: OIDC_ISSUER_URL must be a URL/,
      ],
      [
        'scopes without email',
        { ...oidc, OIDC_SCOPES: 'openid profile' },
        /- OIDC_SCOPES: must include openid and email/,
      ],
      [
        'an http issuer in production',
        {
          ...oidc,
          OIDC_ISSUER_URL: 'http://login.example.com',
          NODE_ENV: 'production',
          ADMIN_TOKEN: 'k3Qv9-xZ27pLmW4s',
        },
        /- OIDC_ISSUER_URL: must be an https:\/\/ URL in production/,
      ],
    ])('refuses %s, naming the variable', (_, settings, problem) => {
      expect(() => loadEnvironment({ ...required, ...settings })).toThrow(problem);
    });

    it('lets an http issuer serve development and tests', () => {
      expect(() => loadEnvironment({ ...required, ...oidc, OIDC_ISSUER_URL: 'http://127.0.0.1:9000' })).not.toThrow();
    });
  });
});
