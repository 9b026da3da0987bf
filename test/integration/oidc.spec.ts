import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { Clock } from '../../apps/backend/src/connect/clock.js';
import { hashSessionToken, SESSION_COOKIE } from '../../apps/backend/src/auth/session-token.js';
import { Browser } from '../support/browser.js';
import { startBackend, type RunningBackend } from '../support/herald-apps.js';
import { MovableClock } from '../support/movable-clock.js';
import { signInAtProvider, startOidcProvider, type OidcProvider } from '../support/oidc-provider.js';
import { freePort } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

const FLOW_COOKIE = 'herald_oidc_flow';

interface ErrorBody {
  statusCode: number;
  message: string;
  details?: { field: string; message: string }[];
}

/** Single sign-on against a real OpenID provider (oidc-provider), driven as a browser would. */
describe('single sign-on (OpenID Connect)', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let provider: OidcProvider;
  let backend: RunningBackend;
  let unconfigured: RunningBackend;
  let sql: DataSource;
  let redirectUri: string;
  const clock = new MovableClock();

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    const port = await freePort();
    const publicBaseUrl = `http://127.0.0.1:${port}`;
    redirectUri = `${publicBaseUrl}/v1/auth/oidc/callback`;
    provider = await startOidcProvider({ redirectUri });
    const base = { databaseUrl: database.url, queuePrefix: redis.prefix };
    backend = await startBackend(
      testConfig(
        testEnvironment(base, {
          PORT: String(port),
          PUBLIC_BASE_URL: publicBaseUrl,
          OIDC_ISSUER_URL: provider.issuer,
          OIDC_CLIENT_ID: provider.client.clientId,
          OIDC_CLIENT_SECRET: provider.client.clientSecret,
          OIDC_DISPLAY_NAME: 'Acme SSO',
        }),
      ),
      (builder) => builder.overrideProvider(Clock).useValue(clock),
    );
    unconfigured = await startBackend(testConfig(testEnvironment(base)));
    sql = await new DataSource({ type: 'postgres', url: database.url }).initialize();
  });

  afterAll(async () => {
    await backend?.close();
    await unconfigured?.close();
    await sql?.destroy();
    await provider?.close();
    await redis?.close();
    await database?.drop();
  });

  /** What a sign-in may write: any change here means something was written. */
  const writes = async () =>
    (
      await sql.query<{ users: number; identities: number; sessions: number }[]>(
        `SELECT (SELECT count(*)::int FROM users) AS users,
                (SELECT count(*)::int FROM user_identities) AS identities,
                (SELECT count(*)::int FROM sessions) AS sessions`,
      )
    )[0];

  const userByEmail = async (email: string) =>
    (
      await sql.query<{ id: string; name: string; password_hash: string | null }[]>(
        `SELECT id, name, password_hash FROM users WHERE email = $1`,
        [email],
      )
    )[0];

  const identitiesOf = (userId: string) =>
    sql.query<{ issuer: string; subject: string }[]>(
      `SELECT issuer, subject FROM user_identities WHERE user_id = $1 ORDER BY subject`,
      [userId],
    );

  /** The user the browser's session cookie signs in (null: no live session). */
  const sessionUser = async (browser: Browser): Promise<string | null> => {
    const token = browser.cookie(backend.url, SESSION_COOKIE);
    if (!token) return null;
    const [row] = await sql.query<{ user_id: string }[]>(
      `SELECT user_id FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`,
      [hashSessionToken(token)],
    );
    return row?.user_id ?? null;
  };

  /** GET /v1/auth/oidc/start: the redirect to the provider. */
  async function start(browser: Browser, query = ''): Promise<URL> {
    const url = `${backend.url}/v1/auth/oidc/start${query}`;
    const response = await browser.get(url);
    expect(response.status).toBe(302);
    return Browser.locationOf(response, url);
  }

  /** Starts a sign-in and goes through the provider as `sub`, up to (not including) the callback. */
  async function callbackFor(browser: Browser, sub: string | null, query = ''): Promise<URL> {
    return signInAtProvider(browser, await start(browser, query), sub, redirectUri);
  }

  async function errorOf(response: Response): Promise<ErrorBody> {
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    return (await response.json()) as ErrorBody;
  }

  it('sends the browser to the provider with PKCE (S256), state and nonce, kept in a sealed HttpOnly cookie', async () => {
    const browser = new Browser();
    const response = await browser.get(`${backend.url}/v1/auth/oidc/start`);
    expect(response.status).toBe(302);
    const authorize = Browser.locationOf(response, backend.url);
    expect(authorize.origin).toBe(provider.issuer);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: provider.client.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid email profile',
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      state: expect.stringMatching(/^[\w-]{32,}$/),
      nonce: expect.stringMatching(/^[\w-]{32,}$/),
    });
    const [cookie] = response.headers.getSetCookie().filter((line) => line.startsWith(`${FLOW_COOKIE}=`));
    expect(cookie).toMatch(/; Path=\/v1\/auth\/oidc/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    // Sealed: neither the state nor anything else of the flow can be read from it.
    expect(cookie).not.toContain(authorize.searchParams.get('state'));
  });

  it('signs a new person in: creates a user without password and their identity, starts a session, and sends them where they were going', async () => {
    provider.addAccount({ sub: 'ada-1', email: 'Ada@Example.com', email_verified: true, name: 'Ada Lovelace' });
    const browser = new Browser();
    const callback = await callbackFor(browser, 'ada-1', '?returnTo=%2Fposts%3Fstatus%3Dfailed');
    expect(callback.searchParams.get('iss')).toBe(provider.issuer);

    const response = await browser.get(callback);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/posts?status=failed');
    expect(browser.cookie(backend.url, FLOW_COOKIE)).toBeUndefined();
    const sessionCookie = response.headers.getSetCookie().find((line) => line.startsWith(`${SESSION_COOKIE}=`));
    expect(sessionCookie).toMatch(/; HttpOnly/);
    expect(sessionCookie).toMatch(/; SameSite=Lax/);

    const user = await userByEmail('ada@example.com');
    expect(user).toMatchObject({ name: 'Ada Lovelace', password_hash: null });
    expect(await identitiesOf(user.id)).toEqual([{ issuer: provider.issuer, subject: 'ada-1' }]);
    expect(await sessionUser(browser)).toBe(user.id);

    // Signing in again finds the same person by their identity: no second user or identity.
    const before = await writes();
    const again = new Browser();
    const second = await again.get(await callbackFor(again, 'ada-1'));
    expect(second.status).toBe(302);
    expect(second.headers.get('location')).toBe('/');
    expect(await sessionUser(again)).toBe(user.id);
    expect(await writes()).toEqual({ ...before, sessions: before.sessions + 1 });
  });

  it('links a verified email to the existing password user, keeping their password', async () => {
    const [existing] = await sql.query<{ id: string }[]>(
      `INSERT INTO users (email, name, password_hash) VALUES ('grace@example.com', 'Grace', 'argon2-hash') RETURNING id`,
    );
    provider.addAccount({ sub: 'grace-sso', email: 'grace@example.com', email_verified: true, name: 'G. Hopper' });
    const before = await writes();

    const browser = new Browser();
    const response = await browser.get(await callbackFor(browser, 'grace-sso'));
    expect(response.status).toBe(302);
    expect(await sessionUser(browser)).toBe(existing.id);
    expect(await identitiesOf(existing.id)).toEqual([{ issuer: provider.issuer, subject: 'grace-sso' }]);
    expect(await userByEmail('grace@example.com')).toMatchObject({
      id: existing.id,
      name: 'Grace',
      password_hash: 'argon2-hash',
    });
    expect(await writes()).toEqual({
      users: before.users,
      identities: before.identities + 1,
      sessions: before.sessions + 1,
    });
  });

  it('does not link an unverified email to the existing user, nor create anyone for one: 403, nothing written', async () => {
    const [existing] = await sql.query<{ id: string }[]>(
      `INSERT INTO users (email, name, password_hash) VALUES ('victim@example.com', 'Victim', 'argon2-hash') RETURNING id`,
    );
    provider.addAccount({ sub: 'mallory', email: 'victim@example.com', email_verified: false });
    provider.addAccount({ sub: 'newcomer', email: 'newcomer@example.com' });
    const before = await writes();

    for (const sub of ['mallory', 'newcomer']) {
      const browser = new Browser();
      const response = await browser.get(await callbackFor(browser, sub));
      expect(response.status).toBe(403);
      expect((await errorOf(response)).message).toMatch(/has not verified your email address \(email_verified/);
      expect(browser.cookie(backend.url, SESSION_COOKIE)).toBeUndefined();
    }
    expect(await writes()).toEqual(before);
    expect(await identitiesOf(existing.id)).toEqual([]);
    expect(await userByEmail('newcomer@example.com')).toBeUndefined();
  });

  it('refuses a tampered state or flow cookie before asking the provider for tokens: 400, nothing written', async () => {
    provider.addAccount({ sub: 'tess', email: 'tess@example.com', email_verified: true });
    const before = await writes();
    const tokenRequests = provider.tokenRequests();

    const wrongState = new Browser();
    const callback = await callbackFor(wrongState, 'tess');
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const refused = await wrongState.get(callback);
    expect(refused.status).toBe(400);
    expect((await errorOf(refused)).details).toEqual([
      { field: 'state', message: expect.stringMatching(/does not match the sign-in this browser started/) },
    ]);

    const forgedCookie = new Browser();
    const genuine = await callbackFor(forgedCookie, 'tess');
    const sealed = forgedCookie.cookie(backend.url, FLOW_COOKIE)!;
    forgedCookie.setCookie(backend.url, FLOW_COOKIE, `${sealed.slice(0, -2)}${sealed.endsWith('AA') ? 'BB' : 'AA'}`);
    const forged = await forgedCookie.get(genuine);
    expect(forged.status).toBe(400);
    expect((await errorOf(forged)).message).toMatch(/state: is not valid: the sign-in cookie is not one Herald issued/);

    // A callback reaching a browser that started no sign-in (login CSRF: someone else's code).
    const elsewhere = await new Browser().get(await callbackFor(new Browser(), 'tess'));
    expect(elsewhere.status).toBe(400);
    expect((await errorOf(elsewhere)).message).toMatch(/this browser started no sign-in/);

    expect(provider.tokenRequests()).toBe(tokenRequests);
    expect(await writes()).toEqual(before);
  });

  it('signs in once per flow: a replayed callback is refused with 400, with or without the flow cookie', async () => {
    provider.addAccount({ sub: 'rita', email: 'rita@example.com', email_verified: true });
    const browser = new Browser();
    const callback = await callbackFor(browser, 'rita');
    const sealed = browser.cookie(backend.url, FLOW_COOKIE)!;
    expect((await browser.get(callback)).status).toBe(302);
    const before = await writes();
    const tokenRequests = provider.tokenRequests();

    // The browser dropped the flow cookie with the first callback...
    const replayed = await browser.get(callback);
    expect(replayed.status).toBe(400);
    expect((await errorOf(replayed)).message).toMatch(/this browser started no sign-in/);
    // ...and whoever kept a copy of it finds it spent.
    const attacker = new Browser();
    attacker.setCookie(backend.url, FLOW_COOKIE, sealed);
    const stolen = await attacker.get(callback);
    expect(stolen.status).toBe(400);
    expect((await errorOf(stolen)).message).toMatch(/state: is not valid: it was used already/);
    expect(attacker.cookie(backend.url, SESSION_COOKIE)).toBeUndefined();

    expect(provider.tokenRequests()).toBe(tokenRequests);
    expect(await writes()).toEqual(before);
  });

  it('lets exactly one of two concurrent callbacks of one flow sign in', async () => {
    provider.addAccount({ sub: 'twin', email: 'twin@example.com', email_verified: true });
    const browser = new Browser();
    const callback = await callbackFor(browser, 'twin');
    const before = await writes();
    const statuses = (await Promise.all([browser.get(callback), browser.get(callback)])).map(
      (response) => response.status,
    );
    expect(statuses.sort()).toEqual([302, 400]);
    expect(await writes()).toEqual({
      users: before.users + 1,
      identities: before.identities + 1,
      sessions: before.sessions + 1,
    });
  });

  it('signs a new person in from two browsers at once as one user with one identity', async () => {
    provider.addAccount({ sub: 'double', email: 'double@example.com', email_verified: true });
    const [first, second] = [new Browser(), new Browser()];
    const callbacks = [await callbackFor(first, 'double'), await callbackFor(second, 'double')];
    const before = await writes();
    const statuses = (await Promise.all([first.get(callbacks[0]), second.get(callbacks[1])])).map(
      (response) => response.status,
    );
    expect(statuses).toEqual([302, 302]);
    const user = await userByEmail('double@example.com');
    expect([await sessionUser(first), await sessionUser(second)]).toEqual([user.id, user.id]);
    expect(await writes()).toEqual({
      users: before.users + 1,
      identities: before.identities + 1,
      sessions: before.sessions + 2,
    });
  });

  it('refuses a flow past its ten minutes, before asking the provider for tokens', async () => {
    provider.addAccount({ sub: 'slow', email: 'slow@example.com', email_verified: true });
    const browser = new Browser();
    const callback = await callbackFor(browser, 'slow');
    const before = await writes();
    const tokenRequests = provider.tokenRequests();
    clock.advance(10 * 60 * 1000 + 1_000);
    const expired = await browser.get(callback);
    expect(expired.status).toBe(400);
    expect((await errorOf(expired)).message).toMatch(/state: is not valid: the sign-in expired/);
    expect(provider.tokenRequests()).toBe(tokenRequests);
    expect(await writes()).toEqual(before);
  });

  it("refuses another flow's code in this browser's flow: PKCE makes the provider refuse it (400 naming code)", async () => {
    provider.addAccount({ sub: 'victim-2', email: 'victim2@example.com', email_verified: true });
    provider.addAccount({ sub: 'attacker-2', email: 'attacker2@example.com', email_verified: true });
    const victim = new Browser();
    const victimCallback = await callbackFor(victim, 'victim-2');
    const stolenCode = (await callbackFor(new Browser(), 'attacker-2')).searchParams.get('code')!;
    victimCallback.searchParams.set('code', stolenCode);
    const before = await writes();

    const injected = await victim.get(victimCallback);
    expect(injected.status).toBe(400);
    expect((await errorOf(injected)).details).toEqual([
      { field: 'code', message: expect.stringMatching(/was refused by the provider \(invalid_grant/) },
    ]);
    expect(victim.cookie(backend.url, SESSION_COOKIE)).toBeUndefined();
    expect(await writes()).toEqual(before);
  });

  it('reports the provider refusing the sign-in (the person cancelled) as a 400 naming its error', async () => {
    const before = await writes();
    const browser = new Browser();
    const response = await browser.get(await callbackFor(browser, null));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).details).toEqual([
      { field: 'error', message: expect.stringMatching(/did not sign you in \(access_denied/) },
    ]);
    expect(browser.cookie(backend.url, FLOW_COOKIE)).toBeUndefined();
    expect(await writes()).toEqual(before);
  });

  it.each(['//evil.example/', 'https://evil.example/', '/\\evil.example', 'posts'])(
    'refuses returnTo=%p with a 400 naming returnTo, before going to the provider',
    async (returnTo) => {
      const browser = new Browser();
      const response = await browser.get(`${backend.url}/v1/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).details).toEqual([{ field: 'returnTo', message: expect.any(String) }]);
      expect(browser.cookie(backend.url, FLOW_COOKIE)).toBeUndefined();
    },
  );

  it('tells the sign-in page whether single sign-on is on, and its name', async () => {
    expect(await (await fetch(`${backend.url}/v1/auth/oidc`)).json()).toEqual({
      enabled: true,
      displayName: 'Acme SSO',
    });
    expect(await (await fetch(`${unconfigured.url}/v1/auth/oidc`)).json()).toEqual({
      enabled: false,
      displayName: null,
    });
  });

  it.each(['start', 'callback?code=abc&state=def'])(
    'answers 501 naming the settings on %s when single sign-on is not configured',
    async (route) => {
      const response = await fetch(`${unconfigured.url}/v1/auth/oidc/${route}`, { redirect: 'manual' });
      expect(response.status).toBe(501);
      expect((await errorOf(response)).message).toMatch(/OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET/);
    },
  );
});
