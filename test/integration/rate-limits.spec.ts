import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { hashApiKey } from '@app/shared';
import { startXEmulator, type XEmulator } from '../../emulators/x/x-emulator.js';
import { type ApiResponse, ApiClient } from '../support/api-client.js';
import { newAccount, newWorkspace } from '../support/factories.js';
import { startBackend, type RunningBackend } from '../support/herald-apps.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { TEST_ADMIN_TOKEN, testConfig, testEnvironment } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

/** The RateLimit-* headers of a response, as numbers (undefined when absent). */
const limits = (response: ApiResponse) => {
  const header = (name: string) => {
    const value = response.headers.get(name);
    return value === null ? undefined : Number(value);
  };
  return {
    limit: header('ratelimit-limit'),
    remaining: header('ratelimit-remaining'),
    reset: header('ratelimit-reset'),
  };
};

/** Requests from `address`, as a proxy in front of the backend would forward them. */
const from = (address: string) => ({ 'x-forwarded-for': address });

describe('rate limits', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let emulator: XEmulator;
  let backends: RunningBackend[] = [];
  let budgetsOfTest = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    emulator = await startXEmulator({ host: '127.0.0.1' });
  });

  afterEach(async () => {
    await Promise.all(backends.map((backend) => backend.close()));
    backends = [];
  });

  afterAll(async () => {
    await emulator?.close();
    await redis?.close();
    await database?.drop();
  });

  /** Every test counts in budgets of its own (all its requests come from 127.0.0.1), unless it shares them. */
  const newPrefix = () => `${redis.prefix}:t${++budgetsOfTest}`;

  async function backend(settings: Record<string, string>, prefix = newPrefix()): Promise<ApiClient> {
    const environment = testEnvironment(
      { databaseUrl: database.url, queuePrefix: prefix, xApiBaseUrl: emulator.url },
      settings,
    );
    const running = await startBackend(testConfig(environment));
    backends.push(running);
    return new ApiClient(running.url);
  }

  it("answers 429 with Retry-After in the API's error body once a key has spent its budget", async () => {
    const api = await backend({ RATE_LIMIT_KEY_REQUESTS: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
    const acme = await newWorkspace(api);

    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await acme.api.get('/v1/accounts'));

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((answer) => limits(answer).remaining)).toEqual([2, 1, 0, 0]);
    expect(answers.map((answer) => limits(answer).limit)).toEqual([3, 3, 3, 3]);
    const refused = answers[3];
    expect(refused.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/^Too many requests; retry in \d+ seconds$/),
    });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limits(refused).reset).toBe(retryAfter);
  });

  it("counts each key on its own: one key's exhaustion leaves another's budget whole", async () => {
    const api = await backend({ RATE_LIMIT_KEY_REQUESTS: '2' });
    const acme = await newWorkspace(api, 'Acme');
    const globex = await newWorkspace(api, 'Globex');

    for (let i = 0; i < 2; i++) expect((await acme.api.get('/v1/posts')).status).toBe(200);
    expect((await acme.api.get('/v1/posts')).status).toBe(429);

    const other = await globex.api.get('/v1/posts');
    expect(other.status).toBe(200);
    expect(limits(other)).toMatchObject({ limit: 2, remaining: 1 });
  });

  it('keeps keys out of Redis: an API key is counted by its hash, any other token by the address', async () => {
    const prefix = newPrefix();
    const api = await backend({ RATE_LIMIT_ADDRESS_REQUESTS: '100' }, prefix);
    const acme = await newWorkspace(api);
    expect((await acme.api.get('/v1/posts')).status).toBe(200);
    const withAdminToken = await api.as(TEST_ADMIN_TOKEN).get('/v1/posts');
    expect(withAdminToken.status).toBe(401);

    const keys = await redis.client.keys(`${prefix}:rate-limit:*`);
    expect(keys.sort()).toEqual(
      [
        `${prefix}:rate-limit:address:127.0.0.1`,
        `${prefix}:rate-limit:admin:127.0.0.1`,
        `${prefix}:rate-limit:apiKey:${hashApiKey(acme.apiKey)}`,
        `${prefix}:rate-limit:failedAuth:127.0.0.1`,
      ].sort(),
    );
    const stored = keys.join(' ');
    for (const secret of [acme.apiKey, TEST_ADMIN_TOKEN, hashApiKey(TEST_ADMIN_TOKEN)]) {
      expect(stored).not.toContain(secret);
    }
  });

  it('puts the headers on every answer: 401s, 404s, malformed bodies and health checks too', async () => {
    const api = await backend({ RATE_LIMIT_AUTH_FAILURES: '5', RATE_LIMIT_ADDRESS_REQUESTS: '100' });
    const acme = await newWorkspace(api);

    const missingKey = await api.get('/v1/posts');
    expect(missingKey.status).toBe(401);
    // The failure spent one of the address's 5 failed authentications: the budget closest to running out.
    expect(limits(missingKey)).toEqual({ limit: 5, remaining: 4, reset: expect.any(Number) });

    const answers = [
      await acme.api.get('/v1/no-such-route'),
      await acme.api.post('/v1/posts', '{"content": '),
      await acme.api.get('/v1/posts'),
      await acme.api.as(undefined).get('/health'),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([404, 400, 200, 200]);
    for (const answer of answers) {
      expect(limits(answer)).toEqual({
        limit: expect.any(Number),
        remaining: expect.any(Number),
        reset: expect.any(Number),
      });
      expect(limits(answer).reset).toBeGreaterThan(0);
    }
  });

  it('refuses an address that keeps failing authentication, whatever it brings next, and only that address', async () => {
    const api = await backend({
      TRUSTED_PROXIES: '127.0.0.1',
      RATE_LIMIT_AUTH_FAILURES: '2',
      RATE_LIMIT_ADDRESS_REQUESTS: '100',
    });
    const acme = await newWorkspace(api);
    const attacker = from('203.0.113.7');

    expect((await api.as('hk_wrong').get('/v1/posts', attacker)).status).toBe(401);
    expect((await api.get('/v1/accounts', attacker)).status).toBe(401);
    // Two failures: the address is out of budget, well before its general budget of 100.
    const blocked = await acme.api.get('/v1/posts', attacker);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limits(blocked)).toMatchObject({ limit: 2, remaining: 0 });
    expect((await api.as(TEST_ADMIN_TOKEN).post('/v1/workspaces', { name: 'x' }, attacker)).status).toBe(429);

    const neighbour = await acme.api.get('/v1/posts', from('203.0.113.8'));
    expect(neighbour.status).toBe(200);
  });

  it('limits the admin endpoint per address, more strictly than the API', async () => {
    const api = await backend({ TRUSTED_PROXIES: '127.0.0.1', RATE_LIMIT_ADMIN_REQUESTS: '2' });
    const admin = api.as(TEST_ADMIN_TOKEN);
    const operator = from('198.51.100.1');

    const first = await admin.post('/v1/workspaces', { name: 'One' }, operator);
    const second = await admin.post('/v1/workspaces', { name: 'Two' }, operator);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(limits(second)).toMatchObject({ limit: 2, remaining: 0 });
    const third = await admin.post('/v1/workspaces', { name: 'Three' }, operator);
    expect(third.status).toBe(429);
    expect(third.body.statusCode).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // The workspace's own key, from the same address, is not held back by the admin budget.
    expect((await api.as(first.body.apiKey).get('/v1/posts', operator)).status).toBe(200);
    expect((await admin.post('/v1/workspaces', { name: 'Four' }, from('198.51.100.2'))).status).toBe(201);
  });

  // The client 192.0.2.1 spends its budget of 2; then comes a request whose X-Forwarded-For says `next`.
  it.each([
    ['no proxy is trusted: the header is ignored', '', '192.0.2.2', 429],
    ['the peer is not among the trusted proxies: ignored', '10.0.0.0/8,::1', '192.0.2.2', 429],
    ['the peer is a trusted proxy: another client', '10.0.0.0/8,127.0.0.1', '192.0.2.2', 200],
    ['a trusted proxy appended the real client after a forged entry', '127.0.0.1', '192.0.2.2, 192.0.2.1', 429],
    ['through a chain of trusted proxies, the address before them', '127.0.0.1,10.0.0.0/8', '192.0.2.1, 10.1.2.3', 429],
  ])('X-Forwarded-For decides the address only through trusted peers: %s', async (_, trusted, next, status) => {
    const api = await backend({ TRUSTED_PROXIES: trusted, RATE_LIMIT_ADDRESS_REQUESTS: '2' });

    for (let i = 0; i < 2; i++) expect((await api.get('/health', from('192.0.2.1'))).status).toBe(200);
    expect((await api.get('/health', from('192.0.2.1'))).status).toBe(429);

    expect((await api.get('/health', from(next))).status).toBe(status);
  });

  it('shares the budgets between backends on the same Redis', async () => {
    const prefix = newPrefix();
    const one = await backend({ RATE_LIMIT_KEY_REQUESTS: '4' }, prefix);
    const two = await backend({ RATE_LIMIT_KEY_REQUESTS: '4' }, prefix);
    const { apiKey } = await newWorkspace(one);

    const statuses = [];
    for (const api of [one, two, one, two, one, two]) statuses.push((await api.as(apiKey).get('/v1/posts')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('lets every request through while Redis is unreachable, and the API keeps accepting posts', async () => {
    const tiny = {
      RATE_LIMIT_KEY_REQUESTS: '1',
      RATE_LIMIT_ADDRESS_REQUESTS: '1',
      RATE_LIMIT_AUTH_FAILURES: '1',
      RATE_LIMIT_ADMIN_REQUESTS: '1',
    };
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    // Nothing listens on port 1: every Redis command fails, so no budget can be counted.
    const api = await backend({ ...tiny, REDIS_URL: 'redis://127.0.0.1:1' });
    const acme = await newWorkspace(api, 'Acme');
    await newWorkspace(api, 'Globex');
    const account = await newAccount(acme);

    for (let i = 0; i < 3; i++) {
      const created = await acme.api.post('/v1/posts', {
        content: `Scheduled while Redis is down #${i}`,
        publishAt: new Date(Date.now() + 3_600_000).toISOString(),
        accountIds: [account.id],
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('ratelimit-limit')).toBeNull();
    }
    for (let i = 0; i < 3; i++) expect((await api.get('/v1/posts')).status).toBe(401);

    // Over a dozen requests met the outage; the log says so once.
    const outageWarnings = warnings.mock.calls.filter(([message]) => /^Redis does not answer/.test(String(message)));
    warnings.mockRestore();
    expect(outageWarnings).toHaveLength(1);
  });
});
