import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiClient, type ApiResponse } from '../support/api-client.js';
import { newWorkspace } from '../support/factories.js';
import { startBackend, type RunningBackend } from '../support/herald-apps.js';
import { type MailServer, startMailServer } from '../support/mail-server.js';
import { browserOf, newUser, sessionCookieOf, signIn, type Browser, type TestUser } from '../support/people.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig, testEnvironment } from '../support/test-environment.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

/** Generous budgets, so only the throttling tests (on backends of their own) meet a 429. */
const ROOMY_BUDGETS = {
  RATE_LIMIT_LOGIN_ACCOUNT_ATTEMPTS: '1000',
  RATE_LIMIT_LOGIN_ADDRESS_ATTEMPTS: '1000',
  RATE_LIMIT_AUTH_FAILURES: '1000',
};

const WRONG_CREDENTIALS = { statusCode: 401, error: 'Unauthorized', message: 'Wrong email or password' };

/** Password sign-in, sessions and passwords, against the real PostgreSQL, Redis and an SMTP server. */
describe('sessions and passwords', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let mail: MailServer;
  let main: RunningBackend;
  let api: ApiClient;
  let extraBackends: RunningBackend[] = [];
  let prefixes = 0;

  async function backend(settings: Record<string, string>, prefix = `${redis.prefix}:b${++prefixes}`) {
    const environment = testEnvironment(
      { databaseUrl: database.url, queuePrefix: prefix },
      { SMTP_URL: mail.url, ...settings },
    );
    return startBackend(testConfig(environment));
  }

  async function extraBackend(settings: Record<string, string>): Promise<ApiClient> {
    const running = await backend(settings);
    extraBackends.push(running);
    return new ApiClient(running.url);
  }

  const sql = async <Row>(query: string, parameters: unknown[] = []): Promise<Row[]> =>
    (await database.sql()).query<Row[]>(query, parameters);

  const me = (browser: Browser) => api.get('/v1/me', browser.headers());
  const send = (method: string, path: string, browser: Browser, body?: unknown) =>
    api.request<any>(method, path, body, browser.headers());

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    mail = await startMailServer();
    main = await backend(ROOMY_BUDGETS);
    api = new ApiClient(main.url);
  });

  afterEach(async () => {
    await Promise.all(extraBackends.map((running) => running.close()));
    extraBackends = [];
  });

  afterAll(async () => {
    await main?.close();
    await mail?.close();
    await redis?.close();
    await database?.drop();
  });

  describe('signing in', () => {
    it('answers the person, their workspaces with roles and a CSRF token, and sets the session cookie', async () => {
      const acme = await newWorkspace(api, 'Acme');
      const globex = await newWorkspace(api, 'Globex');
      const alice = await newUser(database, {
        email: 'Alice@Example.com'.toLowerCase(),
        memberships: [
          { workspaceId: acme.id, role: 'owner' },
          { workspaceId: globex.id, role: 'viewer' },
        ],
      });

      const response = await api.post('/v1/auth/login', { email: 'ALICE@example.com ', password: alice.password });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        user: { id: alice.id, email: alice.email, name: '', hasPassword: true, createdAt: expect.any(String) },
        workspaces: [
          { id: acme.id, name: 'Acme', role: 'owner' },
          { id: globex.id, name: 'Globex', role: 'viewer' },
        ],
        csrfToken: expect.stringMatching(/^[\w-]{43}$/),
      });
      const cookie = sessionCookieOf(response);
      expect(cookie).toMatch(/^herald_session=[\w-]{43}; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
      const expires = new Date(/Expires=([^;]+)/.exec(cookie)![1]).getTime();
      expect(expires).toBeGreaterThan(Date.now() + 29 * 24 * 3600_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 30 * 24 * 3600_000 + 1000);

      const [session] = await sql<{ token_hash: string; user_agent: string }>(
        `SELECT token_hash, user_agent FROM sessions WHERE user_id = $1`,
        [alice.id],
      );
      expect(session.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(cookie).not.toContain(session.token_hash);

      const browser = browserOf(response);
      expect((await me(browser)).body).toEqual(response.body);
    });

    it('gives one identical 401 for a wrong password, an unknown email and a person without a password', async () => {
      const bob = await newUser(database);
      const ssoOnly = await newUser(database, { password: null });

      const answers: ApiResponse[] = [
        await api.post('/v1/auth/login', { email: bob.email, password: 'not-the-password' }),
        await api.post('/v1/auth/login', { email: 'nobody@example.com', password: 'not-the-password' }),
        await api.post('/v1/auth/login', { email: ssoOnly.email, password: 'not-the-password' }),
      ];

      for (const answer of answers) {
        expect(answer.status).toBe(401);
        expect(answer.body).toEqual(WRONG_CREDENTIALS);
        expect(sessionCookieOf(answer)).toBe('');
      }
      expect(await sql(`SELECT id FROM sessions WHERE user_id = ANY($1)`, [[bob.id, ssoOnly.id]])).toEqual([]);
    });

    it('refuses a malformed body naming the field, without signing anyone in', async () => {
      const response = await api.post('/v1/auth/login', { email: 'someone@example.com', password: '' });
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([{ field: 'password', message: 'password should not be empty' }]);
    });

    it('takes only JSON bodies, which a cross-site form cannot send (no signing a browser in as someone else)', async () => {
      const olivia = await newUser(database);
      const response = await api.post(
        '/v1/auth/login',
        JSON.stringify({ email: olivia.email, password: olivia.password }),
        {
          'content-type': 'text/plain',
        },
      );
      expect(response.status).toBe(400);
      expect(sessionCookieOf(response)).toBe('');
    });

    it('sends the cookie Secure in production', async () => {
      const production = await extraBackend({ ...ROOMY_BUDGETS, NODE_ENV: 'production' });
      const carol = await newUser(database);

      const response = await production.post('/v1/auth/login', { email: carol.email, password: carol.password });

      expect(response.status).toBe(200);
      expect(sessionCookieOf(response)).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
    });
  });

  describe('throttling', () => {
    const from = (address: string) => ({ 'x-forwarded-for': address });

    it('throttles guesses at one account from any address, with the RateLimit headers and Retry-After', async () => {
      const throttled = await extraBackend({
        TRUSTED_PROXIES: '127.0.0.1',
        RATE_LIMIT_LOGIN_ACCOUNT_ATTEMPTS: '3',
        RATE_LIMIT_LOGIN_ADDRESS_ATTEMPTS: '100',
      });
      const dave = await newUser(database);
      const erin = await newUser(database);

      const guesses: ApiResponse[] = [];
      for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
        guesses.push(
          await throttled.post('/v1/auth/login', { email: dave.email, password: 'guess-guess' }, from(address)),
        );
      }
      expect(guesses.map((guess) => guess.status)).toEqual([401, 401, 401]);
      expect(guesses.map((guess) => guess.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0']);

      // Even the right password, from a fresh address, waits for the window: the guesser cannot tell it was right.
      const refused = await throttled.post(
        '/v1/auth/login',
        { email: dave.email.toUpperCase(), password: dave.password },
        from('192.0.2.4'),
      );
      expect(refused.status).toBe(429);
      expect(refused.body.message).toMatch(/^Too many requests; retry in \d+ seconds$/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.headers.get('ratelimit-limit')).toBe('3');
      expect(sessionCookieOf(refused)).toBe('');

      const other = await throttled.post(
        '/v1/auth/login',
        { email: erin.email, password: erin.password },
        from('192.0.2.4'),
      );
      expect(other.status).toBe(200);
    });

    it('throttles one address whatever emails it tries', async () => {
      const throttled = await extraBackend({
        TRUSTED_PROXIES: '127.0.0.1',
        RATE_LIMIT_LOGIN_ACCOUNT_ATTEMPTS: '100',
        RATE_LIMIT_LOGIN_ADDRESS_ATTEMPTS: '3',
      });
      const frank = await newUser(database);

      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const guess = await throttled.post(
          '/v1/auth/login',
          { email: `guess-${i}@example.com`, password: 'guess-guess' },
          from('198.51.100.7'),
        );
        statuses.push(guess.status);
      }
      const fourth = await throttled.post(
        '/v1/auth/login',
        { email: frank.email, password: frank.password },
        from('198.51.100.7'),
      );
      expect([...statuses, fourth.status]).toEqual([401, 401, 401, 429]);
      expect(fourth.headers.get('retry-after')).not.toBeNull();
      // The reset requests of that address are throttled with its sign-ins.
      const reset = await throttled.post('/v1/auth/password-reset', { email: frank.email }, from('198.51.100.7'));
      expect(reset.status).toBe(429);

      const elsewhere = await throttled.post(
        '/v1/auth/login',
        { email: frank.email, password: frank.password },
        from('198.51.100.8'),
      );
      expect(elsewhere.status).toBe(200);
    });

    it('keeps the emails out of Redis: an account is counted by its hash', async () => {
      const prefix = `${redis.prefix}:hashes`;
      const running = await backend({}, prefix);
      extraBackends.push(running);
      await new ApiClient(running.url).post('/v1/auth/login', { email: 'secret.person@example.com', password: 'x' });

      const keys = await redis.client.keys(`${prefix}:rate-limit:login*`);
      expect(keys.sort()).toEqual([
        expect.stringMatching(new RegExp(`^${prefix}:rate-limit:loginAccount:[0-9a-f]{64}$`)),
        `${prefix}:rate-limit:loginAddress:127.0.0.1`,
      ]);
      expect(keys.join(' ')).not.toContain('secret.person');
    });
  });

  describe('a session', () => {
    let grace: TestUser;

    beforeAll(async () => {
      grace = await newUser(database);
    });

    it('ends when idle longer than SESSION_IDLE_MINUTES, and each use keeps it alive', async () => {
      const browser = await signIn(api, grace);
      const [{ id }] = await sql<{ id: string }>(
        `SELECT id FROM sessions WHERE token_hash = encode(sha256($1), 'hex')`,
        [browser.token],
      );

      // Used two minutes ago: this use moves its idle expiry.
      await sql(`UPDATE sessions SET last_seen_at = now() - interval '2 minutes' WHERE id = $1`, [id]);
      expect((await me(browser)).status).toBe(200);
      const [{ idle }] = await sql<{ idle: number }>(
        `SELECT extract(epoch FROM now() - last_seen_at) AS idle FROM sessions WHERE id = $1`,
        [id],
      );
      expect(Number(idle)).toBeLessThan(60);

      // Unused for the idle limit (a week by default, one minute more): over.
      await sql(`UPDATE sessions SET last_seen_at = now() - interval '7 days 1 minute' WHERE id = $1`, [id]);
      const ended = await me(browser);
      expect(ended.status).toBe(401);
      expect(ended.body.message).toBe('Your session has ended: sign in again');
    });

    it('ends at its absolute expiry, however active', async () => {
      const browser = await signIn(api, grace);
      expect((await me(browser)).status).toBe(200);
      await sql(
        `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = encode(sha256($1), 'hex')`,
        [browser.token],
      );
      expect((await me(browser)).status).toBe(401);
    });

    it('survives a Redis flush: sessions live in PostgreSQL', async () => {
      const browser = await signIn(api, grace);
      expect(await redis.flush()).toBeGreaterThan(0);

      expect((await me(browser)).status).toBe(200);
      expect((await send('DELETE', '/v1/me/sessions', browser)).status).toBe(200);
    });

    it('signs out: the session ends and the cookie is cleared', async () => {
      const browser = await signIn(api, grace);

      const withoutCsrf = await api.post('/v1/auth/logout', undefined, { cookie: `herald_session=${browser.token}` });
      expect(withoutCsrf.status).toBe(403);
      const out = await send('POST', '/v1/auth/logout', browser);

      expect(out.status).toBe(204);
      expect(sessionCookieOf(out)).toMatch(
        /^herald_session=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/,
      );
      expect((await me(browser)).status).toBe(401);
    });
  });

  it('forgets dead sessions and spent reset links at the next sign-in or reset request', async () => {
    const nina = await newUser(database);
    const signedOut = await signIn(api, nina);
    await send('POST', '/v1/auth/logout', signedOut);
    const idle = await signIn(api, nina);
    await sql(
      `UPDATE sessions SET last_seen_at = now() - interval '8 days' WHERE token_hash = encode(sha256($1), 'hex')`,
      [idle.token],
    );
    const live = await signIn(api, nina);
    const countOf = async (table: string) =>
      Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE user_id = $1`, [nina.id]))[0].n);
    expect(await countOf('sessions')).toBe(1);
    expect((await me(live)).status).toBe(200);

    await api.post('/v1/auth/password-reset', { email: nina.email });
    await sql(`UPDATE password_resets SET expires_at = now() WHERE user_id = $1`, [nina.id]);
    await api.post('/v1/auth/password-reset', { email: nina.email });
    expect(await countOf('password_resets')).toBe(1);
  });

  describe('the list of sessions', () => {
    it('lists the live sessions, marks the current one, and ends one or all the others', async () => {
      const heidi = await newUser(database);
      const laptop = await signIn(api, heidi, { 'user-agent': 'Laptop/1.0' });
      const phone = await signIn(api, heidi, { 'user-agent': 'Phone/2.0' });
      const tablet = await signIn(api, heidi, { 'user-agent': 'Tablet/3.0' });
      const expired = await signIn(api, heidi, { 'user-agent': 'Old/0.1' });
      await sql(`UPDATE sessions SET expires_at = now() WHERE token_hash = encode(sha256($1), 'hex')`, [expired.token]);

      const listed = await api.get('/v1/me/sessions', laptop.headers());
      expect(listed.status).toBe(200);
      const items: any[] = listed.body.items;
      expect(items.map((item) => [item.userAgent, item.current]).sort()).toEqual([
        ['Laptop/1.0', true],
        ['Phone/2.0', false],
        ['Tablet/3.0', false],
      ]);
      expect(items[0]).toEqual({
        id: expect.any(String),
        createdAt: expect.any(String),
        lastSeenAt: expect.any(String),
        expiresAt: expect.any(String),
        userAgent: expect.any(String),
        ip: expect.stringMatching(/127\.0\.0\.1/),
        current: expect.any(Boolean),
      });

      const phoneId = items.find((item) => item.userAgent === 'Phone/2.0').id;
      expect((await send('DELETE', `/v1/me/sessions/${phoneId}`, laptop)).status).toBe(204);
      expect((await me(phone)).status).toBe(401);
      expect((await send('DELETE', `/v1/me/sessions/${phoneId}`, laptop)).status).toBe(404);

      // Another person's session is not theirs to end.
      const ivan = await newUser(database);
      const ivans = await signIn(api, ivan);
      const ivansId = (await api.get('/v1/me/sessions', ivans.headers())).body.items[0].id;
      expect((await send('DELETE', `/v1/me/sessions/${ivansId}`, laptop)).status).toBe(404);
      expect((await send('DELETE', '/v1/me/sessions/not-a-uuid', laptop)).status).toBe(404);
      expect((await me(ivans)).status).toBe(200);

      const endAll = await send('DELETE', '/v1/me/sessions', laptop);
      expect(endAll).toMatchObject({ status: 200, body: { ended: 1 } });
      expect((await me(tablet)).status).toBe(401);
      expect((await me(laptop)).status).toBe(200);
      expect((await api.get('/v1/me/sessions', laptop.headers())).body.items).toHaveLength(1);
    });

    it('is for people: an API key or no session gets 401', async () => {
      const acme = await newWorkspace(api, 'Keyed');
      expect((await acme.api.get('/v1/me')).status).toBe(401);
      expect((await api.get('/v1/me/sessions')).status).toBe(401);
      expect((await api.get('/v1/me', { cookie: 'herald_session=forged' })).status).toBe(401);
    });
  });

  describe('changing the password', () => {
    it('needs the current password, names a bad field, and writes nothing then', async () => {
      const judy = await newUser(database);
      const browser = await signIn(api, judy);

      const wrong = await send('PUT', '/v1/me/password', browser, {
        currentPassword: 'not-my-password',
        newPassword: 'a-new-long-password',
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.details).toEqual([{ field: 'currentPassword', message: 'is not your current password' }]);

      for (const newPassword of ['short', 'x'.repeat(257), 12345678901]) {
        const bad = await send('PUT', '/v1/me/password', browser, { currentPassword: judy.password, newPassword });
        expect(bad.status).toBe(400);
        expect(bad.body.details).toContainEqual({ field: 'newPassword', message: 'must be 10 to 256 characters long' });
        expect(bad.body.details.map((problem: { field: string }) => problem.field)).toEqual(
          bad.body.details.map(() => 'newPassword'),
        );
      }
      expect((await api.post('/v1/auth/login', { email: judy.email, password: judy.password })).status).toBe(200);
    });

    it('sets the new password and ends the other sessions, keeping this one', async () => {
      const kim = await newUser(database);
      const here = await signIn(api, kim);
      const elsewhere = await signIn(api, kim);

      const changed = await send('PUT', '/v1/me/password', here, {
        currentPassword: kim.password,
        newPassword: 'correct horse battery staple',
      });

      expect(changed.status).toBe(204);
      expect((await me(here)).status).toBe(200);
      expect((await me(elsewhere)).status).toBe(401);
      expect((await api.post('/v1/auth/login', { email: kim.email, password: kim.password })).body).toEqual(
        WRONG_CREDENTIALS,
      );
      await signIn(api, { email: kim.email, password: 'correct horse battery staple' });
    });
  });

  describe('password reset by mail', () => {
    const tokenOf = (text: string): string => /#token=([\w-]+)/.exec(text)![1];

    it('mails a single-use link that sets the password and ends every session', async () => {
      const leo = await newUser(database);
      const session = await signIn(api, leo);

      const requested = await api.post('/v1/auth/password-reset', { email: leo.email.toUpperCase() });
      expect(requested.status).toBe(202);

      const message = await mail.waitFor((received) => received.to.includes(leo.email));
      expect(message.subject).toBe('Reset your Herald password');
      expect(message.text).toContain(`${'http://localhost:3000'}/reset-password#token=`);
      const token = tokenOf(message.text);
      const [stored] = await sql<{ token_hash: string }>(`SELECT token_hash FROM password_resets WHERE user_id = $1`, [
        leo.id,
      ]);
      expect(stored.token_hash).not.toContain(token);

      // A bad password is refused naming it, and leaves the link unspent.
      const weak = await api.post('/v1/auth/password-reset/confirm', { token, newPassword: 'short' });
      expect(weak.status).toBe(400);
      expect(weak.body.details).toEqual([expect.objectContaining({ field: 'newPassword' })]);

      const confirmed = await api.post('/v1/auth/password-reset/confirm', {
        token,
        newPassword: 'a brand new password',
      });
      expect(confirmed.status).toBe(204);
      expect((await me(session)).status).toBe(401);
      await signIn(api, { email: leo.email, password: 'a brand new password' });

      const again = await api.post('/v1/auth/password-reset/confirm', { token, newPassword: 'yet another password' });
      expect(again.status).toBe(410);
      expect(again.body.message).toMatch(/already been used or has expired/);
      await signIn(api, { email: leo.email, password: 'a brand new password' });
    });

    it('answers the same 202 for an unknown email, and writes and sends nothing', async () => {
      const known = await newUser(database);
      const unknown = await api.post('/v1/auth/password-reset', { email: 'nobody-here@example.com' });
      const answered = await api.post('/v1/auth/password-reset', { email: known.email });

      expect(unknown.status).toBe(202);
      expect(unknown.body).toEqual(answered.body);
      expect(
        await sql(`SELECT p.id FROM password_resets p JOIN users u ON u.id = p.user_id WHERE u.email = $1`, [
          'nobody-here@example.com',
        ]),
      ).toEqual([]);
      // The known email's mail arriving shows the moment has passed: none went to the unknown one.
      await mail.waitFor((received) => received.to.includes(known.email));
      expect(mail.received.filter((received) => received.to.includes('nobody-here@example.com'))).toEqual([]);
    });

    it('refuses an expired link with 410, and a used one voids the older links', async () => {
      const mia = await newUser(database);
      await api.post('/v1/auth/password-reset', { email: mia.email });
      await api.post('/v1/auth/password-reset', { email: mia.email });
      await mail.waitFor(
        (received) =>
          received.to.includes(mia.email) && mail.received.filter((m) => m.to.includes(mia.email)).length === 2,
      );
      const [first, second] = mail.received
        .filter((received) => received.to.includes(mia.email))
        .map((m) => tokenOf(m.text));

      await sql(
        `UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE token_hash = encode(sha256($1), 'hex')`,
        [first],
      );
      const expired = await api.post('/v1/auth/password-reset/confirm', {
        token: first,
        newPassword: 'expired link password',
      });
      expect(expired.status).toBe(410);

      await sql(
        `UPDATE password_resets SET expires_at = now() + interval '1 hour' WHERE token_hash = encode(sha256($1), 'hex')`,
        [first],
      );
      expect(
        (await api.post('/v1/auth/password-reset/confirm', { token: second, newPassword: 'the second link' })).status,
      ).toBe(204);
      expect(
        (await api.post('/v1/auth/password-reset/confirm', { token: first, newPassword: 'the first link!' })).status,
      ).toBe(410);
      expect(
        (await api.post('/v1/auth/password-reset/confirm', { token: 'never-issued', newPassword: 'whatever-long' }))
          .status,
      ).toBe(410);
    });
  });
});
