import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startThreadsEmulator, type ThreadsEmulator } from '../../../../../emulators/threads/threads-emulator.js';
import { AppConfig } from '../../config/app-config.js';
import { loadEnvironment } from '../../config/environment.js';
import { DomainError } from '../../errors/domain-error.js';
import type { PublishFailure } from '../platform-provider.js';
import type { ThreadsCredentials } from './threads-credentials.js';
import { ThreadsProvider } from './threads.provider.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const REDIRECT_URI = 'https://herald.example/v1/connect/threads/callback';

function configFor(emulator: ThreadsEmulator, app: { id: string; secret: string } = emulator.app): AppConfig {
  return new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      ADMIN_TOKEN: 'x'.repeat(20),
      THREADS_API_BASE_URL: emulator.url,
      THREADS_OAUTH_BASE_URL: emulator.url,
      THREADS_APP_ID: app.id,
      THREADS_APP_SECRET: app.secret,
      PLATFORM_TIMEOUT_MS: '1000',
      PUBLISH_LEASE_SECONDS: '8',
    }),
  );
}

async function failureOf(provider: ThreadsProvider, promise: Promise<unknown>): Promise<PublishFailure> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeDefined();
  return provider.classifyError(outcome);
}

describe('Threads accounts: credentials, verification, token renewal and OAuth', () => {
  let emulator: ThreadsEmulator;
  let provider: ThreadsProvider;

  const newAccount = (username?: string): ThreadsCredentials => {
    const { user, token } = emulator.createAccount(username);
    return { userId: user.id, accessToken: token.value, expiresAt: token.expiresAt.toISOString() };
  };

  /** Follows the authorize page's redirect as a browser would; returns the `code` and `state` it carries. */
  async function authorize(state = 'state-123'): Promise<{ code: string; state: string | null }> {
    const url = provider.oauth.authorizeUrl({ redirectUri: REDIRECT_URI, state, codeChallenge: 'unused-challenge' });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    return { code: location.searchParams.get('code')!, state: location.searchParams.get('state') };
  }

  beforeAll(async () => {
    emulator = await startThreadsEmulator();
    provider = new ThreadsProvider(configFor(emulator));
  });
  beforeEach(() => emulator.reset());
  afterAll(async () => {
    await emulator?.close();
  });

  describe('parseCredentials', () => {
    it('accepts { userId, accessToken, expiresAt? }', () => {
      expect(provider.parseCredentials({ userId: ' 25025320703737617 ', accessToken: ' THtoken ' })).toEqual({
        userId: '25025320703737617',
        accessToken: 'THtoken',
      });
      expect(
        provider.parseCredentials({ userId: '1', accessToken: 'THtoken', expiresAt: '2030-01-01T00:00:00+01:00' }),
      ).toEqual({ userId: '1', accessToken: 'THtoken', expiresAt: '2029-12-31T23:00:00.000Z' });
    });

    it('names every bad field', () => {
      const fields = (input: unknown) => {
        try {
          provider.parseCredentials(input);
          return [];
        } catch (error) {
          expect(error).toBeInstanceOf(DomainError);
          return (error as DomainError).details?.map((detail) => detail.field);
        }
      };
      expect(fields(undefined)).toEqual(['credentials.userId', 'credentials.accessToken']);
      expect(fields({ userId: 42, accessToken: 'THtoken' })).toEqual(['credentials.userId']);
      expect(fields({ userId: '@alice', accessToken: 'two words' })).toEqual([
        'credentials.userId',
        'credentials.accessToken',
      ]);
      expect(fields({ userId: '1', accessToken: 'THtoken', expiresAt: 'soon' })).toEqual(['credentials.expiresAt']);
      expect(fields({ userId: '1', accessToken: 'THtoken', appSecret: 'x' })).toEqual(['credentials.appSecret']);
    });
  });

  describe('verifyCredentials', () => {
    it('names the profile the token belongs to', async () => {
      const alice = newAccount('alice');
      expect(await provider.verifyCredentials(alice)).toEqual({ externalId: alice.userId, displayName: 'alice' });
    });

    it('reports a revoked token, or a 401, as rejected credentials', async () => {
      const alice = newAccount();
      emulator.revokeToken(alice.accessToken);
      expect(await failureOf(provider, provider.verifyCredentials(alice))).toMatchObject({
        kind: 'permanent',
        statusCode: 400,
        credentialsRejected: true,
      });

      emulator.failNext({ status: 401 });
      expect(await failureOf(provider, provider.verifyCredentials(newAccount()))).toEqual({
        kind: 'permanent',
        statusCode: 401,
        credentialsRejected: true,
        message:
          'Threads rejected the credentials (401): Invalid OAuth access token - Cannot parse access token (code 190)',
      });
    });

    it('refuses a token that belongs to another profile than userId', async () => {
      const alice = newAccount('alice_two');
      const bob = newAccount('bob_two');

      const failure = await failureOf(provider, provider.verifyCredentials({ ...alice, userId: bob.userId }));

      expect(failure).toEqual({
        kind: 'permanent',
        message: `The access token belongs to Threads user ${alice.userId} (alice_two), not to userId ${bob.userId}`,
      });
    });
  });

  describe('renewal', () => {
    it('renews a week before the token expires, and never when the expiry is unknown', () => {
      const renewAt = provider.renewal.renewAt({
        userId: '1',
        accessToken: 'TH',
        expiresAt: '2030-03-01T00:00:00.000Z',
      });
      expect(renewAt).toEqual(new Date('2030-02-22T00:00:00.000Z'));
      expect(provider.renewal.renewAt({ userId: '1', accessToken: 'TH' })).toBeNull();
    });

    it('refreshes a long-lived token for another 60 days', async () => {
      const alice = newAccount('alice_renewed');

      const renewed = await provider.renewal.renew(alice);

      expect(renewed.userId).toBe(alice.userId);
      expect(renewed.accessToken).not.toBe(alice.accessToken);
      expect(Date.parse(renewed.expiresAt!) - Date.now()).toBeGreaterThan(59 * DAY_MS);
      expect(emulator.token(renewed.accessToken)).toMatchObject({ userId: alice.userId, kind: 'long-lived' });
      expect(await provider.verifyCredentials(renewed)).toMatchObject({ externalId: alice.userId });
      expect(emulator.requests.find((request) => request.route === 'refreshToken')?.status).toBe(200);

      // Removing the app ends the grant: the renewed token goes with the one it replaced.
      emulator.revokeToken(alice.accessToken);
      expect(await failureOf(provider, provider.verifyCredentials(renewed))).toMatchObject({
        credentialsRejected: true,
      });
    });

    it('reports a revoked token as rejected credentials, and a token too new to refresh as not', async () => {
      const revoked = newAccount();
      emulator.revokeToken(revoked.accessToken);
      expect(await failureOf(provider, provider.renewal.renew(revoked))).toMatchObject({
        kind: 'permanent',
        credentialsRejected: true,
      });

      const { code } = await authorize();
      const [{ credentials: fresh }] = await provider.oauth.exchangeCode({
        code,
        redirectUri: REDIRECT_URI,
        codeVerifier: 'unused',
      });
      const failure = await failureOf(provider, provider.renewal.renew(fresh));
      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 400,
        message:
          'Threads rejected the request (400): (#100) The access token must be at least 24 hours old to be refreshed ' +
          '(code 100)',
      });
    });
  });

  describe('oauth', () => {
    it('needs the Threads app id and secret', () => {
      const unconfigured = new ThreadsProvider(configFor(emulator, { id: '', secret: '' }));
      expect(unconfigured.oauth.missingSettings()).toEqual(['THREADS_APP_ID', 'THREADS_APP_SECRET']);
      expect(provider.oauth.missingSettings()).toEqual([]);
    });

    it('sends people to the authorize window with the app, the scopes and the state', () => {
      const url = new URL(provider.oauth.authorizeUrl({ redirectUri: REDIRECT_URI, state: 's', codeChallenge: 'c' }));

      expect(`${url.origin}${url.pathname}`).toBe(`${emulator.url}/oauth/authorize`);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        client_id: emulator.app.id,
        redirect_uri: REDIRECT_URI,
        scope: 'threads_basic,threads_content_publish,threads_read_replies',
        response_type: 'code',
        state: 's',
      });
    });

    it('exchanges the code for a long-lived token of the profile that approved', async () => {
      const approver = emulator.signInAs('dana');
      const { code, state } = await authorize('csrf-state');
      expect(state).toBe('csrf-state');

      const accounts = await provider.oauth.exchangeCode({ code, redirectUri: REDIRECT_URI, codeVerifier: 'unused' });

      expect(accounts).toHaveLength(1);
      const [{ credentials, identity }] = accounts;
      // The id comes whole from /me: the code exchange's user_id is a JSON number too large for JavaScript.
      expect(identity).toEqual({ externalId: approver.id, displayName: 'dana' });
      expect(credentials.userId).toBe(approver.id);
      expect(emulator.token(credentials.accessToken)).toMatchObject({ kind: 'long-lived', userId: approver.id });
      expect(Date.parse(credentials.expiresAt!) - Date.now()).toBeGreaterThan(59 * DAY_MS);
      expect(provider.parseCredentials(credentials)).toEqual(credentials);
      expect(emulator.requests.map((request) => request.route)).toEqual([
        'authorize',
        'exchangeCode',
        'exchangeToken',
        'object',
      ]);
    });

    it('refuses a code used twice, or sent with another redirect URI, quoting Threads', async () => {
      const { code } = await authorize();
      await provider.oauth.exchangeCode({ code, redirectUri: REDIRECT_URI, codeVerifier: 'unused' });

      const reused = await failureOf(
        provider,
        provider.oauth.exchangeCode({ code, redirectUri: REDIRECT_URI, codeVerifier: 'unused' }),
      );
      expect(reused).toEqual({
        kind: 'permanent',
        statusCode: 400,
        message: 'Threads rejected the request (400): (#100) This authorization code has been used. (code 100/36009)',
      });

      const other = await authorize();
      const misdirected = await failureOf(
        provider,
        provider.oauth.exchangeCode({
          code: other.code,
          redirectUri: 'https://elsewhere.example/cb',
          codeVerifier: 'unused',
        }),
      );
      expect(misdirected.message).toContain('redirect_uri is identical');
    });

    it('reports a wrong app secret as permanent', async () => {
      const misconfigured = new ThreadsProvider(configFor(emulator, { id: emulator.app.id, secret: 'wrong' }));
      const { code } = await authorize();

      const failure = await failureOf(
        misconfigured,
        misconfigured.oauth.exchangeCode({ code, redirectUri: REDIRECT_URI, codeVerifier: 'unused' }),
      );

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 400,
        message: 'Threads rejected the request (400): Error validating client secret. (code 1)',
      });
    });
  });
});
