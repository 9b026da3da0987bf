import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { startXEmulator, type XEmulator } from '../../emulators/x/x-emulator.js';
import { ApiClient } from '../support/api-client.js';
import { eventually, newWorkspace, type TestWorkspace } from '../support/factories.js';
import { startBackend, startScheduler, startWorker, type RunningBackend } from '../support/herald-apps.js';
import { freePort } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment, xOAuthSettings } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

/**
 * Accounts that stay connected: the OAuth connect flow (PKCE, sealed state) against the X emulator's
 * authorize and token endpoints, and the scheduler renewing tokens (short-lived here, so always due).
 */
describe('connecting accounts and keeping them connected', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let emulator: XEmulator;
  let backend: RunningBackend;
  let worker: INestApplicationContext;
  let scheduler: INestApplicationContext;
  let sql: DataSource;
  let workspace: TestWorkspace;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    // 60 s tokens are inside the 15-minute renewal margin: the scheduler renews them on every tick.
    emulator = await startXEmulator({ host: '127.0.0.1', tokenLifetimeSeconds: 60 });
    const port = await freePort();
    const config = testConfig(
      testEnvironment(
        { databaseUrl: database.url, queuePrefix: redis.prefix, xApiBaseUrl: emulator.url },
        xOAuthSettings(emulator, port),
      ),
    );
    backend = await startBackend(config);
    worker = await startWorker(config);
    scheduler = await startScheduler(config);
    sql = await new DataSource({ type: 'postgres', url: database.url }).initialize();
    workspace = await newWorkspace(new ApiClient(backend.url));
  });

  afterAll(async () => {
    await scheduler?.close();
    await worker?.close();
    await backend?.close();
    await sql?.destroy();
    await emulator?.close();
    await redis?.close();
    await database?.drop();
  });

  /** Goes through X's authorize page (the emulator approves at once) and returns Herald's callback URL. */
  async function approve(authorizeUrl: string): Promise<URL> {
    const response = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!);
  }

  async function connectX(): Promise<{ id: string; name: string; externalId: string }> {
    const start = await workspace.api.get('/v1/connect/x');
    expect(start.status).toBe(200);
    const callback = await approve(start.body.authorizeUrl);
    const response = await fetch(callback);
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: { id: string; name: string; externalId: string }[] };
    expect(items).toHaveLength(1);
    return items[0];
  }

  const accountRow = async (id: string) =>
    (
      await sql.query<{ status: string; status_reason: string | null; renew_at: Date | null }[]>(
        `SELECT status, status_reason, renew_at FROM social_accounts WHERE id = $1`,
        [id],
      )
    )[0];

  const tokensIssued = () =>
    emulator.requests.filter((request) => request.endpoint === 'oauthToken' && request.status === 200).length;

  describe('GET /v1/connect/:platform', () => {
    it('sends the person to the platform with PKCE and a sealed state, then stores the account it grants', async () => {
      const start = await workspace.api.get('/v1/connect/x');
      const authorize = new URL(start.body.authorizeUrl);
      expect(`${authorize.origin}${authorize.pathname}`).toBe(`${emulator.url}/i/oauth2/authorize`);
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
      expect(authorize.searchParams.get('redirect_uri')).toBe(`${backend.url}/v1/connect/x/callback`);
      expect(authorize.searchParams.get('state')).not.toContain(workspace.id);
      expect(Date.parse(start.body.expiresAt)).toBeGreaterThan(Date.now());

      const account = await connectX();
      expect(account.name).toMatch(/^@/);
      const listed = (await workspace.api.get('/v1/accounts')).body.items;
      expect(listed).toContainEqual(expect.objectContaining({ id: account.id, platform: 'x', status: 'active' }));
      const stored = await sql.query<{ encrypted_credentials: string }[]>(
        `SELECT encrypted_credentials FROM social_accounts WHERE id = $1`,
        [account.id],
      );
      expect(stored[0].encrypted_credentials).toMatch(/^v2\./);
    });

    it('refuses a callback whose state was tampered with, or that the person declined', async () => {
      const start = await workspace.api.get('/v1/connect/x');
      const callback = await approve(start.body.authorizeUrl);
      callback.searchParams.set('state', `${callback.searchParams.get('state')!.slice(0, -4)}AAAA`);
      const tampered = await fetch(callback);
      expect(tampered.status).toBe(400);
      expect(((await tampered.json()) as { message: string }).message).toMatch(/state: is not valid/);

      const declined = await fetch(`${backend.url}/v1/connect/x/callback?error=access_denied&state=x`);
      expect(declined.status).toBe(400);
      expect(((await declined.json()) as { message: string }).message).toMatch(/X did not grant access/);
    });

    it('says which platforms connect otherwise, and which lack their OAuth app settings', async () => {
      const telegram = await workspace.api.get('/v1/connect/telegram');
      expect(telegram.status).toBe(400);
      expect(telegram.body.message).toMatch(/POST \/v1\/accounts/);

      const linkedin = await workspace.api.get('/v1/connect/linkedin');
      expect(linkedin.status).toBe(501);
      expect(linkedin.body.message).toMatch(/LINKEDIN_CLIENT_ID/);

      expect((await workspace.api.get('/v1/connect/myspace')).status).toBe(404);
      expect((await new ApiClient(backend.url).get('/v1/connect/x')).status).toBe(401);
    });
  });

  describe('renewal by the scheduler', () => {
    it('renews tokens before they expire, and publishes with the renewed ones', async () => {
      const account = await connectX();
      const firstRenewal = (await accountRow(account.id)).renew_at!;
      await eventually(async () => ((await accountRow(account.id)).renew_at! > firstRenewal ? true : undefined), {
        what: 'a renewal',
      });

      const post = await workspace.api.post('/v1/posts', { content: 'After renewal', accountIds: [account.id] });
      // The tweet lands before the worker records it: wait for the target, not for the tweet.
      const target = await eventually(
        async () => {
          const { body } = await workspace.api.get(`/v1/posts/${post.body.id}`);
          return body.targets[0].status === 'published' ? body.targets[0] : undefined;
        },
        { what: 'the target to be published' },
      );
      expect(emulator.tweets.filter((tweet) => tweet.text === 'After renewal')).toHaveLength(1);
      expect(target.platformPostId).toBe(emulator.tweets.find((tweet) => tweet.text === 'After renewal')!.id);
      expect((await accountRow(account.id)).status).toBe('active');
    });

    it('keeps the account connected through a temporary failure of the token endpoint', async () => {
      const account = await connectX();
      const before = tokensIssued();
      emulator.failNext({ status: 503, endpoint: 'oauthToken', count: 2 });
      await eventually(() => (tokensIssued() > before ? true : undefined), { what: 'a renewal after the outage' });
      expect(await accountRow(account.id)).toMatchObject({ status: 'active', status_reason: null });
    });

    it('marks the account needs_reauth when the grant is revoked, and fails its posts with the reason', async () => {
      const account = await connectX();
      const [tokenOwner] = emulator.requests.filter((request) => request.endpoint === 'me').slice(-1);
      emulator.revokeToken(tokenOwner.token!);

      const row = await eventually(
        async () => {
          const current = await accountRow(account.id);
          return current.status === 'needs_reauth' ? current : undefined;
        },
        { what: 'the account to need reconnecting' },
      );
      expect(row.status_reason).toMatch(/connect the account again/);

      const post = await workspace.api.post('/v1/posts', { content: 'Never sent', accountIds: [account.id] });
      const target = await eventually(
        async () => {
          const [current] = (await workspace.api.get(`/v1/posts/${post.body.id}`)).body.targets;
          return current.status === 'failed' ? current : undefined;
        },
        { what: 'the target to fail' },
      );
      expect(target.error).toMatch(/^The account needs reconnecting: /);
      expect(emulator.tweets.find((tweet) => tweet.text === 'Never sent')).toBeUndefined();
      // Reported once, by the renewal that found the grant revoked, in its own transaction.
      const reported = await sql.query<{ data: Record<string, unknown> }[]>(
        `SELECT data FROM events WHERE type = 'account.needs_reauth' AND data->>'accountId' = $1`,
        [account.id],
      );
      expect(reported).toEqual([
        { data: { accountId: account.id, platform: 'x', name: expect.any(String), reason: row.status_reason } },
      ]);
    });
  });
});
