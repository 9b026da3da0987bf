import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startXEmulator, type XEmulator } from '../../../../../emulators/x/x-emulator.js';
import { AppConfig } from '../../config/app-config.js';
import { loadEnvironment } from '../../config/environment.js';
import { DomainError } from '../../errors/domain-error.js';
import type { MediaAttachment, PublishedPost, PublishFailure, PublishRequest } from '../platform-provider.js';
import { createSelfSignedCertificate, type SelfSignedCertificate } from '../../../../../test/support/tls.js';
import { X_CONTENT_RULES } from './x-content.rules.js';
import { XProvider } from './x.provider.js';

const TIMEOUT_MS = 1000;
const CALLBACK = 'http://localhost:3000/v1/connect/x/callback';

function configFor(baseUrl: string, env: Record<string, string> = {}): AppConfig {
  return new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      ADMIN_TOKEN: 'x'.repeat(20),
      X_API_BASE_URL: baseUrl,
      PLATFORM_TIMEOUT_MS: String(TIMEOUT_MS),
      PUBLISH_LEASE_SECONDS: '5',
      ...env,
    }),
  );
}

/** Runs `promise`, expects it to fail, and returns how the provider classifies the failure. */
async function failureOf(provider: XProvider, promise: Promise<unknown>): Promise<PublishFailure> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeDefined();
  return provider.classifyError(outcome);
}

const textPost = (text: string, extra: Partial<PublishRequest> = {}): PublishRequest => ({
  text,
  media: [],
  idempotencyKey: 'target-1',
  ...extra,
});

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes that start like a PNG, as X's decoder checks; the rest is noise of the given size. */
const pngOf = (sizeBytes: number) => Buffer.concat([PNG_SIGNATURE, randomBytes(sizeBytes - PNG_SIGNATURE.length)]);

function attachment(bytes: Buffer, altText: string | null, mimeType = 'image/png'): MediaAttachment {
  return {
    mediaId: `media-${randomBytes(4).toString('hex')}`,
    mimeType,
    sizeBytes: bytes.length,
    altText,
    read: () => Promise.resolve(bytes),
    publicUrl: () => Promise.reject(new Error('X takes the bytes, not a URL')),
  };
}

/** The request log as `METHOD path status`, with ids in paths shown as :id. */
const requestLine = (r: { method: string; path: string; status?: number }) =>
  `${r.method} ${r.path.replace(/\/\d{6,}(?=\/|$)/g, '/:id')} ${r.status}`;

describe('XProvider against the X emulator (http)', () => {
  let emulator: XEmulator;
  let provider: XProvider;
  const alice = { accessToken: 'alice-token-0001' };
  const bob = { accessToken: 'bob-token-0002' };

  beforeAll(async () => {
    emulator = await startXEmulator();
    provider = new XProvider(configFor(emulator.url));
  });
  beforeEach(() => emulator.reset());
  afterAll(async () => {
    await emulator.close();
  });

  it('declares what X lets Herald do to make a retry safe, and X’s content rules', () => {
    expect(provider.capabilities).toEqual({ findPublished: true, idempotencyKeys: false });
    expect(provider.rules).toBe(X_CONTENT_RULES);
    expect(provider.rules).toMatchObject({ maxLength: 280, lengthUnit: 'weighted characters', maxMedia: 4 });
  });

  it('publishes a post once, with the account’s token', async () => {
    const published = await provider.publish(alice, textPost('Hello from Herald'));

    expect(emulator.tweets).toHaveLength(1);
    const [tweet] = emulator.tweets;
    expect(tweet).toMatchObject({ text: 'Hello from Herald', token: alice.accessToken });
    expect(tweet.authorId).toBe(emulator.userFor(alice.accessToken).id);
    expect(tweet.media).toBeUndefined();
    expect(tweet.replyToId).toBeUndefined();
    expect(published).toEqual({ platformPostId: tweet.id, url: `https://x.com/i/web/status/${tweet.id}` });
    expect(emulator.requests.map((r) => [r.method, r.path, r.status])).toEqual([['POST', '/2/tweets', 201]]);
  });

  describe('media', () => {
    it('uploads an image in X’s chunked format, sets its alt text, then posts with it', async () => {
      const bytes = pngOf(2048);

      const published = await provider.publish(
        alice,
        textPost('A picture', { media: [attachment(bytes, 'A red square on white')] }),
      );

      const [tweet] = emulator.tweets;
      expect(published.platformPostId).toBe(tweet.id);
      expect(tweet.text).toBe('A picture');
      expect(tweet.media).toHaveLength(1);
      expect(tweet.media![0]).toMatchObject({ mimeType: 'image/png', altText: 'A red square on white' });
      expect(tweet.media![0].data.equals(bytes)).toBe(true);
      expect(emulator.requests.map(requestLine)).toEqual([
        'POST /2/media/upload/initialize 200',
        'POST /2/media/upload/:id/append 200',
        'POST /2/media/upload/:id/finalize 200',
        'POST /2/media/metadata 200',
        'POST /2/tweets 201',
      ]);
      expect(emulator.requests.every((r) => r.token === alice.accessToken)).toBe(true);
    });

    it('sends a large image in several chunks and skips metadata when there is no alt text', async () => {
      const large = pngOf(2.5 * 1024 * 1024);
      const small = pngOf(512);

      await provider.publish(alice, textPost('Two', { media: [attachment(large, null), attachment(small, 'second')] }));

      const [tweet] = emulator.tweets;
      expect(tweet.media!.map((m) => [m.data.length, m.altText])).toEqual([
        [large.length, undefined],
        [small.length, 'second'],
      ]);
      expect(tweet.media![0].data.equals(large)).toBe(true);
      const appends = emulator.requests.filter((r) => r.endpoint === 'mediaAppend');
      expect(appends).toHaveLength(3 + 1); // 1 MB chunks for the large one, one for the small one
      expect(emulator.requests.filter((r) => r.endpoint === 'mediaMetadata')).toHaveLength(1);
    });

    it('posts media without text', async () => {
      await provider.publish(alice, textPost('', { media: [attachment(pngOf(256), null)] }));

      expect(emulator.tweets).toHaveLength(1);
      expect(emulator.tweets[0]).toMatchObject({ text: '' });
      expect(emulator.tweets[0].media).toHaveLength(1);
    });

    it('reports an image X cannot read as permanent, and posts nothing', async () => {
      const notAPng = attachment(randomBytes(300), null);

      const failure = await failureOf(provider, provider.publish(alice, textPost('broken', { media: [notAPng] })));

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 400,
        message: 'X rejected the post (400): The uploaded file is not a valid image/png image.',
      });
      expect(emulator.tweets).toHaveLength(0);
    });

    it('reports a 429 during the upload as rate limited', async () => {
      emulator.failNext({ endpoint: 'mediaInitialize', status: 429, resetInSeconds: 30 });

      const failure = await failureOf(
        provider,
        provider.publish(alice, textPost('later', { media: [attachment(pngOf(256), null)] })),
      );

      expect(failure).toMatchObject({ kind: 'retryable', rateLimited: true, statusCode: 429 });
      expect(emulator.tweets).toHaveLength(0);
    });
  });

  describe('threads', () => {
    it('publishes each part as a reply to the part before it', async () => {
      const root = await provider.publish(alice, textPost('1/3 A thread'));
      const second = await provider.publish(alice, textPost('2/3 goes on', { replyTo: { root, parent: root } }));
      const third = await provider.publish(alice, textPost('3/3 and ends', { replyTo: { root, parent: second } }));

      expect(emulator.tweets.map((t) => [t.id, t.text, t.replyToId])).toEqual([
        [root.platformPostId, '1/3 A thread', undefined],
        [second.platformPostId, '2/3 goes on', root.platformPostId],
        [third.platformPostId, '3/3 and ends', second.platformPostId],
      ]);
    });

    it('reports a reply to a post that is gone as permanent, with X’s explanation', async () => {
      const gone: PublishedPost = { platformPostId: '1234567890123456789', url: 'https://x.com/i/web/status/1' };

      const failure = await failureOf(
        provider,
        provider.publish(alice, textPost('orphan', { replyTo: { root: gone, parent: gone } })),
      );

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 403,
        message: 'X rejected the post (403): You attempted to reply to a Tweet that is deleted or not visible to you.',
      });
      expect(emulator.tweets).toHaveLength(0);
    });
  });

  describe('verifyCredentials', () => {
    it('tells whose token it is', async () => {
      const user = emulator.userFor(alice.accessToken);

      expect(await provider.verifyCredentials(alice)).toEqual({
        externalId: user.id,
        displayName: `@${user.username}`,
      });
    });

    it('reports a revoked token as rejected credentials', async () => {
      emulator.revokeToken(alice.accessToken);

      expect(await failureOf(provider, provider.verifyCredentials(alice))).toEqual({
        kind: 'permanent',
        statusCode: 401,
        credentialsRejected: true,
        message: 'X rejected the access token (401): Unauthorized',
      });
    });
  });

  it('reports duplicate content as permanent, flagged duplicate', async () => {
    await provider.publish(alice, textPost('Same words twice'));

    const failure = await failureOf(provider, provider.publish(alice, textPost('Same words twice')));

    expect(failure).toStrictEqual({
      kind: 'permanent',
      statusCode: 403,
      duplicate: true,
      message: 'X rejected the post (403): You are not allowed to create a Tweet with duplicate content.',
    });
    expect(emulator.tweets).toHaveLength(1);
    // Another account may say the same thing.
    await provider.publish(bob, textPost('Same words twice'));
    expect(emulator.tweets.map((t) => t.token)).toEqual([alice.accessToken, bob.accessToken]);
  });

  it('reports another 403 as permanent, not flagged duplicate', async () => {
    emulator.failNext({ status: 403 });

    const failure = await failureOf(provider, provider.publish(alice, textPost('forbidden')));

    expect(failure).toStrictEqual({
      kind: 'permanent',
      statusCode: 403,
      message: 'X rejected the post (403): Forbidden',
    });
    expect(emulator.tweets).toHaveLength(0);
  });

  describe('findPublished', () => {
    it('finds a post that landed although its response was lost', async () => {
      const since = new Date();
      const text = 'Fish & chips <today> at https://example.com/menu?day=friday&time=noon';
      emulator.failNext({ delayMs: TIMEOUT_MS * 3, afterRecord: true });

      const failure = await failureOf(provider, provider.publish(alice, textPost(text)));
      expect(failure).toEqual({ kind: 'unknown', message: 'Could not reach X: request timed out' });
      expect(emulator.tweets).toHaveLength(1);

      const found = await provider.findPublished(alice, { text }, since);
      expect(found).toEqual({
        platformPostId: emulator.tweets[0].id,
        url: `https://x.com/i/web/status/${emulator.tweets[0].id}`,
      });
    });

    it('finds nothing for text never posted, by someone else, or before `since`', async () => {
      const since = new Date();
      await provider.publish(alice, textPost('first post'));
      await provider.publish(bob, textPost('bob only'));

      expect(await provider.findPublished(alice, { text: 'never posted' }, since)).toBeNull();
      expect(await provider.findPublished(alice, { text: 'bob only' }, since)).toBeNull();
      const later = new Date(Date.now() + 5 * 60_000);
      expect(await provider.findPublished(alice, { text: 'first post' }, later)).toBeNull();
      expect(await provider.findPublished(alice, { text: ' first post ' }, since)).toMatchObject({
        platformPostId: emulator.tweets[0].id,
      });
      const lookups = emulator.requests.filter((r) => r.endpoint === 'userTweets');
      expect(lookups.every((r) => r.path === `/2/users/${emulator.userFor(alice.accessToken).id}/tweets`)).toBe(true);
    });

    it('finds a post with an image, whose text X ends with a link to the photo', async () => {
      const since = new Date();
      await provider.publish(alice, textPost('With a photo', { media: [attachment(pngOf(256), null)] }));

      expect(await provider.findPublished(alice, { text: 'With a photo' }, since)).toMatchObject({
        platformPostId: emulator.tweets[0].id,
      });
    });

    it('finds a thread part only as a reply to the part before it', async () => {
      const since = new Date();
      const root = await provider.publish(alice, textPost('Thread start'));
      const other = await provider.publish(alice, textPost('Another post'));
      const part = await provider.publish(alice, textPost('Same words', { replyTo: { root, parent: root } }));

      expect(
        await provider.findPublished(alice, { text: 'Same words', replyTo: { root, parent: root } }, since),
      ).toEqual(part);
      const elsewhere = { root: other, parent: other };
      expect(await provider.findPublished(alice, { text: 'Same words', replyTo: elsewhere }, since)).toBeNull();
      // A first part is never a reply.
      expect(await provider.findPublished(alice, { text: 'Same words' }, since)).toBeNull();
    });
  });

  it('catches text over 280 weighted characters before X does', async () => {
    const text = '字'.repeat(141);
    expect(provider.rules.countLength(text)).toBe(282);

    // And if it were sent anyway, X's refusal is permanent.
    const failure = await failureOf(provider, provider.publish(alice, textPost(text)));
    expect(failure).toMatchObject({ kind: 'permanent', statusCode: 400 });
    expect(failure.message).toMatch(/^X rejected the post \(400\): \$\.text: Tweet text is too long/);
    expect(emulator.tweets).toHaveLength(0);
  });

  it('obeys faults and resets queued through the HTTP control API', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${emulator.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post('/_emulator/faults', [{ status: 500, count: 2 }])).status).toBe(200);

    expect((await failureOf(provider, provider.publish(alice, textPost('a')))).statusCode).toBe(500);
    expect((await failureOf(provider, provider.publish(alice, textPost('a')))).statusCode).toBe(500);
    await provider.publish(alice, textPost('a'));

    const response = await fetch(`${emulator.url}/_emulator/tweets`);
    const listed = (await response.json()) as { data: Array<{ text: string }> };
    expect(listed.data.map((t) => t.text)).toEqual(['a']);

    await post('/_emulator/revoke', { token: alice.accessToken });
    expect((await failureOf(provider, provider.publish(alice, textPost('b')))).statusCode).toBe(401);
    await post('/_emulator/reset', {});
    await provider.publish(alice, textPost('b'));
    expect(emulator.tweets.map((t) => t.text)).toEqual(['b']);
  });

  it('accepts { accessToken, refreshToken?, expiresAt? } as credentials', () => {
    expect(provider.parseCredentials({ accessToken: '  abc123  ' })).toEqual({ accessToken: 'abc123' });
    expect(
      provider.parseCredentials({ accessToken: 'abc', refreshToken: 'def', expiresAt: '2030-01-01T12:00:00+02:00' }),
    ).toEqual({ accessToken: 'abc', refreshToken: 'def', expiresAt: '2030-01-01T10:00:00.000Z' });

    const problems = (input: unknown) => {
      try {
        provider.parseCredentials(input);
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        return (error as DomainError).details?.map((d) => d.field);
      }
    };
    expect(problems(undefined)).toEqual(['credentials.accessToken']);
    expect(problems('abc123')).toEqual(['credentials.accessToken']);
    expect(problems(['abc123'])).toEqual(['credentials.accessToken']);
    expect(problems({ accessToken: '   ' })).toEqual(['credentials.accessToken']);
    expect(problems({ accessToken: 42 })).toEqual(['credentials.accessToken']);
    expect(problems({ accessToken: 'two words' })).toEqual(['credentials.accessToken']);
    expect(problems({ accessToken: 'abc', refreshToken: '' })).toEqual(['credentials.refreshToken']);
    expect(problems({ accessToken: 'abc', expiresAt: 'tomorrow' })).toEqual(['credentials.expiresAt']);
    expect(problems({ accessToken: 'abc', expiresAt: 1893456000 })).toEqual(['credentials.expiresAt']);
    expect(problems({ accessToken: 'abc', accessSecret: 'def' })).toEqual(['credentials.accessSecret']);
    expect(problems({ refreshToken: 'a b', other: 1 })).toEqual([
      'credentials.accessToken',
      'credentials.refreshToken',
      'credentials.other',
    ]);
  });
});

describe('XProvider renewal and OAuth against the X emulator', () => {
  let emulator: XEmulator;
  let provider: XProvider;

  beforeAll(async () => {
    emulator = await startXEmulator();
    provider = new XProvider(
      configFor(emulator.url, {
        X_CLIENT_ID: emulator.oauthClient.clientId,
        X_CLIENT_SECRET: emulator.oauthClient.clientSecret!,
        X_OAUTH_BASE_URL: emulator.url,
      }),
    );
  });
  beforeEach(() => emulator.reset());
  afterAll(async () => {
    await emulator.close();
  });

  describe('renewal', () => {
    it('renews a quarter of an hour before the access token expires, and only with a refresh token', () => {
      const expiresAt = '2030-01-01T12:00:00.000Z';
      expect(provider.renewal.renewAt({ accessToken: 'a', refreshToken: 'r', expiresAt })).toEqual(
        new Date('2030-01-01T11:45:00.000Z'),
      );
      expect(provider.renewal.renewAt({ accessToken: 'a', expiresAt })).toBeNull();
      expect(provider.renewal.renewAt({ accessToken: 'a', refreshToken: 'r' })).toBeNull();
    });

    it('trades the refresh token for new credentials; X rotates it, so the old one is spent', async () => {
      const issued = emulator.mintTokens();
      const before = Date.now();

      const renewed = await provider.renewal.renew(issued);

      expect(renewed.accessToken).not.toBe(issued.accessToken);
      expect(renewed.refreshToken).toEqual(expect.any(String));
      expect(renewed.refreshToken).not.toBe(issued.refreshToken);
      const lifetime = Date.parse(renewed.expiresAt!) - before;
      expect(lifetime).toBeGreaterThan(7200_000 - 60_000);
      expect(lifetime).toBeLessThanOrEqual(7200_000 + 1000);
      // The new token acts for the same user.
      const identity = await provider.verifyCredentials(renewed);
      expect(identity.externalId).toBe(emulator.userFor(issued.accessToken).id);
      const [request] = emulator.requests.filter((r) => r.endpoint === 'oauthToken');
      expect(request).toMatchObject({ method: 'POST', path: '/2/oauth2/token', status: 200 });

      // Spent: the grant is gone for whoever uses it again.
      expect(await failureOf(provider, provider.renewal.renew(issued))).toEqual({
        kind: 'permanent',
        statusCode: 400,
        credentialsRejected: true,
        message: 'X refused the authorization grant (400): Value passed for the token was invalid.',
      });
      expect(await provider.renewal.renew(renewed)).toMatchObject({ accessToken: expect.any(String) });
    });

    it('reports a revoked grant as rejected credentials', async () => {
      const issued = emulator.mintTokens();
      emulator.revokeToken(issued.accessToken);

      expect(await failureOf(provider, provider.renewal.renew(issued))).toMatchObject({
        kind: 'permanent',
        credentialsRejected: true,
      });
      expect(await failureOf(provider, provider.verifyCredentials(issued))).toMatchObject({
        statusCode: 401,
        credentialsRejected: true,
      });
    });

    it('reports a wrong client secret as permanent but not the account’s fault, without leaking the secret', async () => {
      const misconfigured = new XProvider(
        configFor(emulator.url, { X_CLIENT_ID: emulator.oauthClient.clientId, X_CLIENT_SECRET: 'not-the-secret' }),
      );

      const failure = await failureOf(misconfigured, misconfigured.renewal.renew(emulator.mintTokens()));

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 401,
        message: "X rejected Herald's app (X_CLIENT_ID/X_CLIENT_SECRET) (401): Missing valid authorization header",
      });
    });
  });

  describe('oauth', () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');

    /** Follows the authorize URL the way a browser would, to where X sends the user back. */
    async function approve(url: string): Promise<URL> {
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(302);
      return new URL(response.headers.get('location')!);
    }

    it('names the settings it still needs', () => {
      expect(provider.oauth.missingSettings()).toEqual([]);
      expect(new XProvider(configFor(emulator.url)).oauth.missingSettings()).toEqual([
        'X_CLIENT_ID',
        'X_CLIENT_SECRET',
      ]);
    });

    it('builds X’s authorize URL with PKCE and the scopes Herald needs', () => {
      const url = new URL(
        provider.oauth.authorizeUrl({ redirectUri: CALLBACK, state: 'st4te', codeChallenge: challenge }),
      );

      expect(`${url.origin}${url.pathname}`).toBe(`${emulator.url}/i/oauth2/authorize`);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        response_type: 'code',
        client_id: emulator.oauthClient.clientId,
        redirect_uri: CALLBACK,
        scope: 'tweet.read tweet.write users.read media.write offline.access',
        state: 'st4te',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      expect(url.search).toContain('scope=tweet.read%20tweet.write%20users.read%20media.write%20offline.access');
    });

    it('exchanges the code for renewable credentials and the account they belong to', async () => {
      const back = await approve(
        provider.oauth.authorizeUrl({ redirectUri: CALLBACK, state: 'st4te', codeChallenge: challenge }),
      );
      expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
      expect(back.searchParams.get('state')).toBe('st4te');
      const code = back.searchParams.get('code')!;

      const accounts = await provider.oauth.exchangeCode({ code, redirectUri: CALLBACK, codeVerifier: verifier });

      expect(accounts).toHaveLength(1);
      const [{ credentials, identity }] = accounts;
      const user = emulator.userFor(credentials.accessToken);
      expect(identity).toEqual({ externalId: user.id, displayName: `@${user.username}` });
      expect(credentials).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      });
      expect(provider.parseCredentials(credentials)).toEqual(credentials);
      await provider.publish(credentials, textPost('Connected through OAuth'));
      expect(emulator.tweets[0]).toMatchObject({ text: 'Connected through OAuth', authorId: user.id });

      // A code works once.
      const again = await failureOf(
        provider,
        provider.oauth.exchangeCode({ code, redirectUri: CALLBACK, codeVerifier: verifier }),
      );
      expect(again).toMatchObject({ kind: 'permanent', statusCode: 400, credentialsRejected: true });
    });

    it('fails when the verifier does not match the challenge', async () => {
      const back = await approve(
        provider.oauth.authorizeUrl({ redirectUri: CALLBACK, state: 's', codeChallenge: challenge }),
      );

      const failure = await failureOf(
        provider,
        provider.oauth.exchangeCode({
          code: back.searchParams.get('code')!,
          redirectUri: CALLBACK,
          codeVerifier: randomBytes(32).toString('base64url'),
        }),
      );

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 400,
        credentialsRejected: true,
        message: 'X refused the authorization grant (400): Value passed for the authorization code was invalid.',
      });
    });
  });
});

describe('XProvider against the X emulator (https, trusted through NODE_EXTRA_CA_CERTS)', () => {
  let emulator: XEmulator;
  let certificate: SelfSignedCertificate;

  beforeAll(async () => {
    certificate = await createSelfSignedCertificate();
    emulator = await startXEmulator({ tls: { key: certificate.key, cert: certificate.cert } });
  });
  afterAll(async () => {
    await emulator?.close();
    certificate?.remove();
  });

  /**
   * NODE_EXTRA_CA_CERTS is read once at process start, so the publish runs in a child process, the way
   * production trusts a private CA. It prints the provider's result or classified failure as JSON.
   */
  async function publishInChild(extraCaCerts: string | undefined, text: string) {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const module = (path: string) => JSON.stringify(pathToFileURL(join(here, path)).href);
    const script = `
      const { XProvider } = await import(${module('x.provider.ts')});
      const { AppConfig } = await import(${module('../../config/app-config.ts')});
      const { loadEnvironment } = await import(${module('../../config/environment.ts')});
      const provider = new XProvider(new AppConfig(loadEnvironment({
        ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'), ADMIN_TOKEN: 'x'.repeat(20),
        X_API_BASE_URL: process.env.CHILD_X_URL, PLATFORM_TIMEOUT_MS: '5000',
      })));
      try {
        const post = { text: process.env.CHILD_TEXT, media: [], idempotencyKey: 'target-1' };
        const published = await provider.publish({ accessToken: 'tls-token' }, post);
        console.log(JSON.stringify({ published }));
      } catch (error) {
        console.log(JSON.stringify({ failure: provider.classifyError(error) }));
      }`;
    const env: NodeJS.ProcessEnv = { ...process.env, CHILD_X_URL: emulator.url, CHILD_TEXT: text };
    delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not wanted here
    delete env.NODE_EXTRA_CA_CERTS;
    if (extraCaCerts) env.NODE_EXTRA_CA_CERTS = extraCaCerts;
    const stdout = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env });
    return JSON.parse(stdout.trim().split('\n').pop()!) as {
      published?: { platformPostId: string; url: string };
      failure?: PublishFailure;
    };
  }

  it('publishes over TLS when the emulator’s certificate is trusted', async () => {
    expect(emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const result = await publishInChild(certificate.certPath, 'Hello over TLS');

    expect(emulator.tweets).toHaveLength(1);
    expect(emulator.tweets[0]).toMatchObject({ text: 'Hello over TLS', token: 'tls-token' });
    expect(result).toEqual({
      published: { platformPostId: emulator.tweets[0].id, url: `https://x.com/i/web/status/${emulator.tweets[0].id}` },
    });
  });

  it('refuses an untrusted certificate (verification stays on), as retryable: nothing was sent', async () => {
    const result = await publishInChild(undefined, 'Should not land');

    expect(result.failure?.kind).toBe('retryable');
    expect(result.failure?.message).toMatch(/^Could not reach X: .*self[- ]signed certificate/i);
    expect(emulator.tweets.map((t) => t.text)).not.toContain('Should not land');
  });
});

function run(file: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  // Asynchronous on purpose: the emulator in this process must keep serving while the child runs.
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: process.cwd(), env: options.env, timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}
