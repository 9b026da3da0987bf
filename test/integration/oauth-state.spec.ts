import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { Clock } from '../../apps/backend/src/connect/clock.js';
import { startXEmulator, type XEmulator } from '../../emulators/x/x-emulator.js';
import { ApiClient } from '../support/api-client.js';
import { newWorkspace, type TestWorkspace } from '../support/factories.js';
import { startBackend, type RunningBackend } from '../support/herald-apps.js';
import { MovableClock } from '../support/movable-clock.js';
import { freePort } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment, xOAuthSettings } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

/** The OAuth `state` of GET /v1/connect/x: sealed, expiring, single use, and bound to its workspace. */
describe('OAuth state', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let emulator: XEmulator;
  let backend: RunningBackend;
  let sql: DataSource;
  let acme: TestWorkspace;
  let other: TestWorkspace;
  const clock = new MovableClock();

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    emulator = await startXEmulator({ host: '127.0.0.1' });
    const port = await freePort();
    const config = testConfig(
      testEnvironment(
        { databaseUrl: database.url, queuePrefix: redis.prefix, xApiBaseUrl: emulator.url },
        xOAuthSettings(emulator, port),
      ),
    );
    backend = await startBackend(config, (builder) => builder.overrideProvider(Clock).useValue(clock));
    sql = await new DataSource({ type: 'postgres', url: database.url }).initialize();
    acme = await newWorkspace(new ApiClient(backend.url), 'Acme');
    other = await newWorkspace(new ApiClient(backend.url), 'Other');
  });

  afterAll(async () => {
    await backend?.close();
    await sql?.destroy();
    await emulator?.close();
    await redis?.close();
    await database?.drop();
  });

  /** Starts the flow for the workspace and approves on X's page (the emulator approves at once). */
  async function approvedCallback(workspace: TestWorkspace): Promise<URL> {
    const start = await workspace.api.get('/v1/connect/x');
    expect(start.status).toBe(200);
    const response = await fetch(start.body.authorizeUrl, { redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!);
  }

  async function call(
    callback: URL,
  ): Promise<{ status: number; body: { message?: string; items?: { id: string }[] } }> {
    const response = await fetch(callback);
    return { status: response.status, body: (await response.json()) as { message?: string; items?: { id: string }[] } };
  }

  const codeExchanges = () => emulator.requests.filter((request) => request.endpoint === 'oauthToken').length;

  const accountRows = async (workspace: TestWorkspace) =>
    (
      await sql.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM social_accounts WHERE workspace_id = $1`, [
        workspace.id,
      ])
    )[0].n;

  it('connects once: a replayed callback is refused with a 400 naming state, and nothing is connected again', async () => {
    const callback = await approvedCallback(acme);
    const first = await call(callback);
    expect(first.status).toBe(200);
    const exchanges = codeExchanges();
    const rows = await accountRows(acme);

    const replay = await call(callback);
    expect(replay.status).toBe(400);
    expect(replay.body.message).toMatch(/state: is not valid: it was used already/);
    expect(codeExchanges()).toBe(exchanges);
    expect(await accountRows(acme)).toBe(rows);
  });

  it('lets exactly one of two concurrent callbacks with the same state through', async () => {
    const callback = await approvedCallback(acme);
    const exchanges = codeExchanges();
    const statuses = (await Promise.all([call(callback), call(callback)])).map((answer) => answer.status);
    expect(statuses.sort()).toEqual([200, 400]);
    expect(codeExchanges()).toBe(exchanges + 1);
  });

  it('refuses a state past its ten minutes, before asking the platform for tokens', async () => {
    const callback = await approvedCallback(acme);
    const exchanges = codeExchanges();
    clock.advance(10 * 60 * 1000 + 1_000);
    const expired = await call(callback);
    expect(expired.status).toBe(400);
    expect(expired.body.message).toMatch(/state: is not valid: it expired/);
    expect(codeExchanges()).toBe(exchanges);
  });

  it('refuses a tampered state, before asking the platform for tokens', async () => {
    const callback = await approvedCallback(acme);
    const exchanges = codeExchanges();
    const state = callback.searchParams.get('state')!;
    callback.searchParams.set('state', `${state.slice(0, -4)}${state.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`);
    const tampered = await call(callback);
    expect(tampered.status).toBe(400);
    expect(tampered.body.message).toMatch(/state: is not valid: it is not one Herald issued/);
    expect(codeExchanges()).toBe(exchanges);
  });

  it('connects the account to the workspace that started the flow, whoever sends the callback', async () => {
    const otherRows = await accountRows(other);
    const connected = await call(await approvedCallback(acme));
    expect(connected.status).toBe(200);
    const [account] = connected.body.items!;
    expect((await acme.api.get(`/v1/accounts/${account.id}`)).status).toBe(200);
    expect((await other.api.get(`/v1/accounts/${account.id}`)).status).toBe(404);
    expect(await accountRows(other)).toBe(otherRows);
  });
});
