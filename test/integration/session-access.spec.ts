import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startXEmulator, type XEmulator } from '../../emulators/x/x-emulator.js';
import { ApiClient } from '../support/api-client.js';
import { newAccount, newWorkspace, type TestWorkspace } from '../support/factories.js';
import { startBackend, type RunningBackend } from '../support/herald-apps.js';
import { newUser, signIn, type Browser } from '../support/people.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

const PUBLIC_BASE_URL = 'https://herald.example.com';

/**
 * The AccessGuard with sessions: a person acts in the workspace their request names, with their role
 * there; what changes something needs the session's CSRF token and, when the browser says, our Origin.
 */
describe('access with a session', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let emulator: XEmulator;
  let backend: RunningBackend;
  let api: ApiClient;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let acmeAccountId: string;
  let editor: Browser;
  let viewer: Browser;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    emulator = await startXEmulator({ host: '127.0.0.1' });
    const environment = testEnvironment(
      { databaseUrl: database.url, queuePrefix: redis.prefix, xApiBaseUrl: emulator.url },
      { PUBLIC_BASE_URL, RATE_LIMIT_AUTH_FAILURES: '1000' },
    );
    backend = await startBackend(testConfig(environment));
    api = new ApiClient(backend.url);
    acme = await newWorkspace(api, 'Acme');
    globex = await newWorkspace(api, 'Globex');
    acmeAccountId = (await newAccount(acme)).id;
    await newAccount(globex);
    editor = await signIn(api, await newUser(database, { memberships: [{ workspaceId: acme.id, role: 'editor' }] }));
    viewer = await signIn(api, await newUser(database, { memberships: [{ workspaceId: acme.id, role: 'viewer' }] }));
  });

  afterAll(async () => {
    await backend?.close();
    await emulator?.close();
    await redis?.close();
    await database?.drop();
  });

  const inAcme = (browser: Browser, extra: Record<string, string> = {}) =>
    browser.headers({ 'x-herald-workspace': acme.id, ...extra });
  const withoutCsrf = (headers: Record<string, string>) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'x-csrf-token'));
  const newPostBody = () => ({ content: `From a session ${Math.random()}`, accountIds: [acmeAccountId] });

  it('reads without a CSRF token: GET is safe', async () => {
    const response = await api.get('/v1/accounts', withoutCsrf(inAcme(viewer)));
    expect(response.status).toBe(200);
    expect(response.body.items.map((account: { id: string }) => account.id)).toEqual([acmeAccountId]);
  });

  it('refuses a change without the CSRF token, or with another session’s', async () => {
    const missing = await api.post('/v1/posts', newPostBody(), withoutCsrf(inAcme(editor)));
    expect(missing.status).toBe(403);
    expect(missing.body.message).toBe("Missing or invalid x-csrf-token header (the session's CSRF token)");

    const borrowed = await api.post('/v1/posts', newPostBody(), inAcme(editor, { 'x-csrf-token': viewer.csrfToken }));
    expect(borrowed.status).toBe(403);

    const sql = await database.sql();
    expect(await sql.query(`SELECT id FROM posts WHERE workspace_id = $1`, [acme.id])).toEqual([]);
  });

  it('refuses a change from another Origin, even with the token', async () => {
    const response = await api.post('/v1/posts', newPostBody(), inAcme(editor, { origin: 'https://evil.example' }));
    expect(response.status).toBe(403);
    expect(response.body.message).toBe(`Requests with a session must come from ${PUBLIC_BASE_URL}`);
  });

  it('accepts a change with the token, from our Origin or none', async () => {
    const fromApp = await api.post('/v1/posts', newPostBody(), inAcme(editor, { origin: PUBLIC_BASE_URL }));
    expect(fromApp.status).toBe(201);
    const noOrigin = await api.post('/v1/posts', newPostBody(), inAcme(editor));
    expect(noOrigin.status).toBe(201);
  });

  it('answers 400 naming the header when a session request names no workspace', async () => {
    for (const header of [{}, { 'x-herald-workspace': 'not-a-uuid' }] as Record<string, string>[]) {
      const response = await api.get('/v1/posts', editor.headers(header));
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([
        { field: 'x-herald-workspace', message: 'must name the workspace (its id) on a request made with a session' },
      ]);
    }
  });

  it('answers 403 in a workspace the person is not a member of', async () => {
    const response = await api.get('/v1/posts', editor.headers({ 'x-herald-workspace': globex.id }));
    expect(response.status).toBe(403);
    expect(response.body.message).toBe('You are not a member of this workspace');
  });

  it('answers 403 naming the role needed when the person’s role is too low', async () => {
    const response = await api.post('/v1/posts', newPostBody(), inAcme(viewer));
    expect(response.status).toBe(403);
    expect(response.body.message).toBe('This needs the editor role (or higher) in the workspace; you have viewer');
  });

  it('lets the API key decide when a request carries a key and a cookie', async () => {
    // The key is Globex's; the cookie is a member of Acme naming Acme: the request acts in Globex, as the key.
    const listed = await globex.api.get('/v1/accounts', withoutCsrf(inAcme(editor)));
    expect(listed.status).toBe(200);
    const globexAccounts = (await globex.api.get('/v1/accounts')).body.items;
    expect(listed.body.items).toEqual(globexAccounts);

    // A key needs no CSRF token (a cross-site form cannot send an Authorization header).
    const created = await globex.api.post(
      '/v1/posts',
      { content: 'With a key', accountIds: [globexAccounts[0].id] },
      withoutCsrf(inAcme(viewer)),
    );
    expect(created.status).toBe(201);
  });
});
