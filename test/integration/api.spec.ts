import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startXEmulator, type XEmulator } from '../../emulators/x/x-emulator.js';
import { ApiClient } from '../support/api-client.js';
import { newAccount, newPost, newWorkspace, type TestWorkspace } from '../support/factories.js';
import { startBackend, type RunningBackend } from '../support/herald-apps.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment, TEST_ADMIN_TOKEN } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

const inMinutes = (minutes: number): string => new Date(Date.now() + minutes * 60_000).toISOString();

describe('REST API', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let backend: RunningBackend;
  let emulator: XEmulator;
  let api: ApiClient;
  let acme: TestWorkspace;
  let account: { id: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    emulator = await startXEmulator();
    backend = await startBackend(
      testConfig(testEnvironment({ databaseUrl: database.url, queuePrefix: redis.prefix, xApiBaseUrl: emulator.url })),
    );
    api = new ApiClient(backend.url);
    acme = await newWorkspace(api);
    account = await newAccount(acme);
  });

  afterAll(async () => {
    await backend?.close();
    await emulator?.close();
    await redis?.close();
    await database?.drop();
  });

  describe('workspaces and auth', () => {
    it('creates a workspace with the admin token and shows its API key once', async () => {
      const response = await api.as(TEST_ADMIN_TOKEN).post('/v1/workspaces', { name: 'Globex' });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: expect.any(String), name: 'Globex', apiKey: expect.stringMatching(/^hk_/) });
    });

    it('refuses workspace creation without the admin token, or with an API key', async () => {
      expect((await api.post('/v1/workspaces', { name: 'x' })).status).toBe(401);
      const withApiKey = await acme.api.post('/v1/workspaces', { name: 'x' });
      expect(withApiKey.status).toBe(401);
      expect(withApiKey.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Missing or invalid admin token',
      });
    });

    it('sends security headers and does not name its framework, on answers and refusals alike', async () => {
      for (const response of [await acme.api.get('/v1/accounts'), await api.get('/v1/posts')]) {
        expect(response.headers.get('x-powered-by')).toBeNull();
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
        expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      }
    });

    it('answers 401 on every /v1 route without a valid API key', async () => {
      for (const [method, path] of [
        ['GET', '/v1/posts'],
        ['POST', '/v1/posts'],
        ['GET', '/v1/accounts'],
        ['DELETE', `/v1/posts/${account.id}`],
      ]) {
        expect((await api.request(method, path)).status).toBe(401);
        expect((await api.as('hk_not-a-real-key').request(method, path)).status).toBe(401);
        expect((await api.as(TEST_ADMIN_TOKEN).request(method, path)).status).toBe(401);
      }
    });

    it('names every bad field of a workspace body', async () => {
      const response = await api.as(TEST_ADMIN_TOKEN).post('/v1/workspaces', { name: '', extra: 1 });
      expect(response.status).toBe(400);
      expect(response.body.details.map((problem: { field: string }) => problem.field).sort()).toEqual([
        'extra',
        'name',
      ]);
    });
  });

  describe('accounts', () => {
    it('creates, reads, lists and deletes an account without ever returning credentials', async () => {
      const created = await acme.api.post('/v1/accounts', {
        platform: 'x',
        name: '@acme',
        credentials: { accessToken: 'super-secret-token' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        platform: 'x',
        name: '@acme',
        externalId: emulator.userFor('super-secret-token').id,
        status: 'active',
        statusReason: null,
        createdAt: expect.any(String),
      });
      const read = await acme.api.get(`/v1/accounts/${created.body.id}`);
      expect(read.body).toEqual(created.body);
      const list = await acme.api.get('/v1/accounts');
      expect(list.body.items.map((item: { id: string }) => item.id)).toContain(created.body.id);
      expect(JSON.stringify([created.body, read.body, list.body])).not.toContain('super-secret-token');

      expect((await acme.api.delete(`/v1/accounts/${created.body.id}`)).status).toBe(204);
      expect((await acme.api.get(`/v1/accounts/${created.body.id}`)).status).toBe(404);
      expect((await acme.api.delete(`/v1/accounts/${created.body.id}`)).status).toBe(404);
    });

    it('stores credentials encrypted', async () => {
      await acme.api.post('/v1/accounts', {
        platform: 'x',
        name: 'enc',
        credentials: { accessToken: 'plain-text-never' },
      });
      const dataSource = await database.sql();
      const rows = await dataSource.query<{ encrypted_credentials: string }[]>(
        `SELECT encrypted_credentials FROM social_accounts WHERE encrypted_credentials IS NOT NULL`,
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.encrypted_credentials).toMatch(/^v2\./);
        expect(row.encrypted_credentials).not.toContain('plain-text-never');
      }
    });

    it('rejects unknown platforms and malformed credentials, naming the fields', async () => {
      const response = await acme.api.post('/v1/accounts', { platform: 'myspace', name: '', credentials: 'nope' });
      expect(response.status).toBe(400);
      expect(response.body.details.map((problem: { field: string }) => problem.field).sort()).toEqual([
        'credentials',
        'name',
        'platform',
      ]);
      const noToken = await acme.api.post('/v1/accounts', { platform: 'x', name: 'a', credentials: {} });
      expect(noToken.status).toBe(400);
      expect(noToken.body.details[0].field).toBe('credentials.accessToken');
    });

    it('checks the credentials with the platform once: a refusal is a 400 quoting it, and nothing is saved', async () => {
      emulator.revokeToken('revoked-token');
      const refused = await acme.api.post('/v1/accounts', {
        platform: 'x',
        credentials: { accessToken: 'revoked-token' },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.details).toEqual([
        {
          field: 'credentials',
          message: expect.stringMatching(/^X refused them: X rejected the access token \(401\)/),
        },
      ]);
      const names = (await acme.api.get('/v1/accounts')).body.items.map((item: { name: string }) => item.name);
      expect(names).not.toContain(emulator.userFor('revoked-token').username);
    });

    it('answers 503 when the platform cannot be reached to check the credentials', async () => {
      emulator.failNext({ status: 503, endpoint: 'me' });
      const response = await acme.api.post('/v1/accounts', {
        platform: 'x',
        credentials: { accessToken: 'some-token' },
      });
      expect(response.status).toBe(503);
      expect(response.body.message).toMatch(/Could not check the credentials with X/);
    });

    it('names the account after the platform handle when no name is given', async () => {
      const response = await acme.api.post('/v1/accounts', {
        platform: 'x',
        credentials: { accessToken: 'named-token' },
      });
      expect(response.status).toBe(201);
      expect(response.body.name).toBe(`@${emulator.userFor('named-token').username}`);
    });
  });

  describe('posts', () => {
    it('creates a scheduled post with one target per account, and a delayed job per target', async () => {
      const second = await newAccount(acme);
      const publishAt = inMinutes(30);
      const response = await acme.api.post('/v1/posts', {
        content: 'Launch day',
        publishAt,
        accountIds: [account.id, second.id],
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ status: 'scheduled', content: 'Launch day', publishAt });
      expect(response.body.targets).toHaveLength(2);
      for (const target of response.body.targets) {
        expect(target).toMatchObject({ platform: 'x', status: 'scheduled', attempts: 0 });
        const delayed = await redis.client.zscore(`${redis.prefix}:post-queue:delayed`, target.id);
        expect(delayed).not.toBeNull();
      }
    });

    it('defaults publishAt to now and accepts offsets', async () => {
      const before = Date.now();
      const now = await newPost(acme, { accountIds: [account.id] });
      const after = Date.now();
      expect(new Date(now.publishAt).getTime()).toBeGreaterThanOrEqual(before);
      expect(new Date(now.publishAt).getTime()).toBeLessThanOrEqual(after);
      const withOffset = await newPost(acme, { accountIds: [account.id], publishAt: '2099-01-01T10:00:00+02:00' });
      expect(withOffset.publishAt).toBe('2099-01-01T08:00:00.000Z');
    });

    it('reads a post with every target field', async () => {
      const post = await newPost(acme, { accountIds: [account.id], publishAt: inMinutes(10) });
      const response = await acme.api.get(`/v1/posts/${post.id}`);
      expect(response.status).toBe(200);
      expect(response.body.targets[0]).toEqual({
        id: expect.any(String),
        accountId: account.id,
        platform: 'x',
        content: null,
        status: 'scheduled',
        attempts: 0,
        platformPostId: null,
        url: null,
        publishedParts: [],
        error: null,
        publishedAt: null,
        paused: null,
        history: [],
      });
      expect(response.body).toMatchObject({ author: { type: 'api_key' }, rejection: null, paused: null });
    });

    it('lists posts newest first with a cursor and a status filter', async () => {
      const workspace = await newWorkspace(api, 'Lister');
      const own = await newAccount(workspace);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await newPost(workspace, { accountIds: [own.id], publishAt: inMinutes(60) })).id);
      const first = await workspace.api.get('/v1/posts?limit=2');
      expect(first.body.items.map((post: { id: string }) => post.id)).toEqual([ids[4], ids[3]]);
      const second = await workspace.api.get(`/v1/posts?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items.map((post: { id: string }) => post.id)).toEqual([ids[2], ids[1]]);
      const third = await workspace.api.get(`/v1/posts?limit=2&cursor=${second.body.nextCursor}`);
      expect(third.body.items.map((post: { id: string }) => post.id)).toEqual([ids[0]]);
      expect(third.body.nextCursor).toBeNull();

      await workspace.api.delete(`/v1/posts/${ids[1]}`);
      const cancelled = await workspace.api.get('/v1/posts?status=cancelled');
      expect(cancelled.body.items.map((post: { id: string }) => post.id)).toEqual([ids[1]]);
      expect((await workspace.api.get('/v1/posts?status=bogus')).status).toBe(400);
      expect((await workspace.api.get('/v1/posts?limit=0')).status).toBe(400);
      expect((await workspace.api.get('/v1/posts?cursor=garbage')).status).toBe(400);
    });

    it('edits and reschedules a post, and the queued job follows', async () => {
      const post = await newPost(acme, { accountIds: [account.id], publishAt: inMinutes(10) });
      const later = inMinutes(120);
      const before = Date.now();
      const response = await acme.api.patch(`/v1/posts/${post.id}`, { content: 'Edited', publishAt: later });
      const after = Date.now();
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ content: 'Edited', publishAt: later, status: 'scheduled' });
      const runAt = Number(await redis.client.zscore(`${redis.prefix}:post-queue:delayed`, post.targets[0].id));
      // BullMQ stores the delayed score as (its timestamp + delay) * 0x1000 + a counter; the delay was
      // counted from Herald's clock during the request, BullMQ's timestamp taken a moment later.
      const scheduledFor = Math.floor(runAt / 0x1000);
      expect(scheduledFor).toBeGreaterThanOrEqual(new Date(later).getTime());
      expect(scheduledFor).toBeLessThanOrEqual(new Date(later).getTime() + (after - before));
    });

    it('cancels a post: targets cancelled, job removed, further edits refused', async () => {
      const post = await newPost(acme, { accountIds: [account.id], publishAt: inMinutes(10) });
      const response = await acme.api.delete(`/v1/posts/${post.id}`);
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('cancelled');
      expect(response.body.targets[0].status).toBe('cancelled');
      expect(await redis.client.exists(`${redis.prefix}:post-queue:${post.targets[0].id}`)).toBe(0);
      expect((await acme.api.patch(`/v1/posts/${post.id}`, { content: 'too late' })).status).toBe(409);
    });

    it('refuses to edit or cancel a post once it is published', async () => {
      const post = await newPost(acme, { accountIds: [account.id], publishAt: inMinutes(10) });
      const dataSource = await database.sql();
      await dataSource.query(`UPDATE post_targets SET status = 'published', published_at = now() WHERE post_id = $1`, [
        post.id,
      ]);
      const edit = await acme.api.patch(`/v1/posts/${post.id}`, { content: 'nope' });
      expect(edit.status).toBe(409);
      expect(edit.body).toMatchObject({
        statusCode: 409,
        error: 'Conflict',
        message: expect.stringContaining('published'),
      });
      expect((await acme.api.delete(`/v1/posts/${post.id}`)).status).toBe(409);
    });

    it('names every bad field of a malformed post', async () => {
      const response = await acme.api.post('/v1/posts', {
        content: 42,
        publishAt: '2030-01-01 10:00',
        accountIds: ['not-a-uuid'],
        surprise: true,
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(new Set(response.body.details.map((problem: { field: string }) => problem.field))).toEqual(
        new Set(['content', 'publishAt', 'accountIds', 'surprise']),
      );
    });

    it('refuses publishAt without an offset, or more than 5 minutes in the past', async () => {
      const noOffset = await acme.api.post('/v1/posts', {
        content: 'a',
        publishAt: '2030-01-01T10:00:00',
        accountIds: [account.id],
      });
      expect(noOffset.status).toBe(400);
      const past = await acme.api.post('/v1/posts', {
        content: 'a',
        publishAt: new Date(Date.now() - 10 * 60_000).toISOString(),
        accountIds: [account.id],
      });
      expect(past.status).toBe(400);
      expect(past.body.details).toEqual([
        { field: 'publishAt', message: 'publishAt is more than 5 minutes in the past' },
      ]);
      const impossible = await acme.api.post('/v1/posts', {
        content: 'a',
        publishAt: '2030-02-31T10:00:00Z',
        accountIds: [account.id],
      });
      expect(impossible.status).toBe(400);
    });

    it('checks content against X rules as X counts it', async () => {
      const tooLong = await acme.api.post('/v1/posts', { content: 'a'.repeat(281), accountIds: [account.id] });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.details[0]).toMatchObject({ field: 'content', message: expect.stringContaining('280') });
      const emoji = await acme.api.post('/v1/posts', { content: '😀'.repeat(141), accountIds: [account.id] });
      expect(emoji.status).toBe(400);
      const url = await acme.api.post('/v1/posts', {
        content: `${'a'.repeat(250)} https://example.com/${'x'.repeat(200)}`,
        accountIds: [account.id],
      });
      expect(url.status).toBe(201);
    });

    it('rejects malformed JSON with a clear 400 and creates nothing', async () => {
      const before = (await acme.api.get('/v1/posts?limit=100')).body.items.length;
      const response = await acme.api.request('POST', '/v1/posts', '{"content": "broken', {
        'content-type': 'application/json',
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect((await acme.api.get('/v1/posts?limit=100')).body.items.length).toBe(before);
    });

    it('answers 404 for unknown ids and non-UUID ids', async () => {
      expect((await acme.api.get('/v1/posts/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      const bad = await acme.api.get('/v1/posts/nope');
      expect(bad.status).toBe(404);
      expect(bad.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Post not found' });
      expect((await acme.api.patch('/v1/posts/00000000-0000-4000-8000-000000000000', { content: 'x' })).status).toBe(
        404,
      );
      expect((await acme.api.delete('/v1/posts/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    });
  });

  describe('idempotent creation', () => {
    const body = () => ({ content: 'Exactly once', publishAt: inMinutes(30), accountIds: [account.id] });

    it('returns the first response for a repeated key and body, and creates nothing new', async () => {
      const request = body();
      const first = await acme.api.post('/v1/posts', request, { 'idempotency-key': 'launch-1' });
      const again = await acme.api.post('/v1/posts', request, { 'idempotency-key': 'launch-1' });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      const dataSource = await database.sql();
      const [{ n }] = await dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM posts WHERE content = 'Exactly once'`,
      );
      expect(n).toBe(1);
    });

    it('refuses the same key with another body with 422', async () => {
      await acme.api.post('/v1/posts', body(), { 'idempotency-key': 'launch-2' });
      const other = await acme.api.post(
        '/v1/posts',
        { ...body(), content: 'Something else' },
        { 'idempotency-key': 'launch-2' },
      );
      expect(other.status).toBe(422);
      expect(other.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity' });
    });

    it('creates one post when the same key arrives concurrently', async () => {
      const request = { ...body(), content: 'Raced once' };
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => acme.api.post('/v1/posts', request, { 'idempotency-key': 'race-1' })),
      );
      expect(new Set(responses.map((response) => response.status))).toEqual(new Set([201]));
      expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    });

    it('keeps keys per workspace and rejects malformed keys', async () => {
      const other = await newWorkspace(api, 'Keys');
      const otherAccount = await newAccount(other);
      const mine = await acme.api.post('/v1/posts', body(), { 'idempotency-key': 'shared-key' });
      const theirs = await other.api.post(
        '/v1/posts',
        { ...body(), accountIds: [otherAccount.id] },
        { 'idempotency-key': 'shared-key' },
      );
      expect(theirs.status).toBe(201);
      expect(theirs.body.id).not.toBe(mine.body.id);
      const bad = await acme.api.post('/v1/posts', body(), { 'idempotency-key': 'has space' });
      expect(bad.status).toBe(400);
      expect(bad.body.details[0].field).toBe('Idempotency-Key');
    });
  });

  describe('lateness', () => {
    it('defaults maxLatenessSeconds to six hours, accepts a value, and bounds it', async () => {
      const post = await newPost(acme, { accountIds: [account.id], publishAt: inMinutes(10) });
      expect(post.maxLatenessSeconds).toBe(21_600);
      const custom = await newPost(acme, {
        accountIds: [account.id],
        publishAt: inMinutes(10),
        maxLatenessSeconds: 600,
      });
      expect(custom.maxLatenessSeconds).toBe(600);
      const bad = await acme.api.post('/v1/posts', { content: 'x', accountIds: [account.id], maxLatenessSeconds: 5 });
      expect(bad.status).toBe(400);
      expect(bad.body.details[0].field).toBe('maxLatenessSeconds');
    });

    it('refuses a retry when nothing failed', async () => {
      const post = await newPost(acme, { accountIds: [account.id], publishAt: inMinutes(10) });
      expect((await acme.api.post(`/v1/posts/${post.id}/retry`)).status).toBe(409);
      expect((await acme.api.post('/v1/posts/00000000-0000-4000-8000-000000000000/retry')).status).toBe(404);
    });
  });

  describe('workspace isolation', () => {
    it("hides another workspace's posts and accounts behind 404", async () => {
      const other = await newWorkspace(api, 'Other');
      const post = await newPost(acme, { accountIds: [account.id], publishAt: inMinutes(10) });
      expect((await other.api.get(`/v1/posts/${post.id}`)).status).toBe(404);
      expect((await other.api.patch(`/v1/posts/${post.id}`, { content: 'hijack' })).status).toBe(404);
      expect((await other.api.delete(`/v1/posts/${post.id}`)).status).toBe(404);
      expect((await other.api.get(`/v1/accounts/${account.id}`)).status).toBe(404);
      expect((await other.api.delete(`/v1/accounts/${account.id}`)).status).toBe(404);
      expect((await other.api.get('/v1/posts')).body.items).toEqual([]);
      const borrow = await other.api.post('/v1/posts', { content: 'borrowed', accountIds: [account.id] });
      expect(borrow.status).toBe(400);
      expect(borrow.body.details[0]).toMatchObject({ field: 'accountIds.0' });
      expect((await acme.api.get(`/v1/posts/${post.id}`)).body.content).toBe(post.content);
    });
  });

  describe('health', () => {
    it('reports liveness and readiness of PostgreSQL and Redis', async () => {
      expect((await api.get('/health')).body).toEqual({ status: 'ok' });
      const ready = await api.get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.info).toMatchObject({ postgres: { status: 'up' }, redis: { status: 'up' } });
    });
  });
});
