import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startXEmulator, type XEmulator } from '../../../../../emulators/x/x-emulator.js';
import { AppConfig } from '../../config/app-config.js';
import { loadEnvironment } from '../../config/environment.js';
import { DomainError } from '../../errors/domain-error.js';
import type { PublishFailure } from '../platform-provider.js';
import { freePort } from '../../../../../test/support/processes.js';
import { createSelfSignedCertificate, type SelfSignedCertificate } from '../../../../../test/support/tls.js';
import { XProvider } from './x.provider.js';

const TIMEOUT_MS = 1000;

function configFor(baseUrl: string): AppConfig {
  return new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      ADMIN_TOKEN: 'x'.repeat(20),
      X_API_BASE_URL: baseUrl,
      PLATFORM_TIMEOUT_MS: String(TIMEOUT_MS),
      PUBLISH_LEASE_SECONDS: '5',
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

  it('declares what X lets Herald do to make a retry safe', () => {
    expect(provider.capabilities).toEqual({ findPublished: true, idempotencyKeys: false });
  });

  it('publishes a post once, with the account’s token', async () => {
    const published = await provider.publish(alice, { content: 'Hello from Herald', idempotencyKey: 'target-1' });

    expect(emulator.tweets).toHaveLength(1);
    const [tweet] = emulator.tweets;
    expect(tweet).toMatchObject({ text: 'Hello from Herald', token: alice.accessToken });
    expect(tweet.authorId).toBe(emulator.userFor(alice.accessToken).id);
    expect(published).toEqual({ platformPostId: tweet.id, url: `https://x.com/i/web/status/${tweet.id}` });
    expect(emulator.requests.map((r) => [r.method, r.path, r.status])).toEqual([['POST', '/2/tweets', 201]]);
  });

  it('reports a revoked token as permanent, without the token in the message', async () => {
    emulator.revokeToken(alice.accessToken);

    const failure = await failureOf(
      provider,
      provider.publish(alice, { content: 'never lands', idempotencyKey: 'target-1' }),
    );

    expect(failure).toEqual({
      kind: 'permanent',
      statusCode: 401,
      message: 'X rejected the access token (401): Unauthorized',
    });
    expect(failure.message).not.toContain(alice.accessToken);
    expect(emulator.tweets).toHaveLength(0);
  });

  it('reports duplicate content as permanent, flagged duplicate', async () => {
    await provider.publish(alice, { content: 'Same words twice', idempotencyKey: 'target-1' });

    const failure = await failureOf(
      provider,
      provider.publish(alice, { content: 'Same words twice', idempotencyKey: 'target-1' }),
    );

    expect(failure).toStrictEqual({
      kind: 'permanent',
      statusCode: 403,
      duplicate: true,
      message: 'X rejected the post (403): You are not allowed to create a Tweet with duplicate content.',
    });
    expect(emulator.tweets).toHaveLength(1);
    // Another account may say the same thing.
    await provider.publish(bob, { content: 'Same words twice', idempotencyKey: 'target-1' });
    expect(emulator.tweets.map((t) => t.token)).toEqual([alice.accessToken, bob.accessToken]);
  });

  it('reports another 403 as permanent, not flagged duplicate', async () => {
    emulator.failNext({ status: 403 });

    const failure = await failureOf(
      provider,
      provider.publish(alice, { content: 'forbidden', idempotencyKey: 'target-1' }),
    );

    expect(failure).toStrictEqual({
      kind: 'permanent',
      statusCode: 403,
      message: 'X rejected the post (403): Forbidden',
    });
    expect(failure).not.toHaveProperty('duplicate');
    expect(emulator.tweets).toHaveLength(0);
  });

  it('reports a 429 as retryable and rate limited, to retry when the limit resets', async () => {
    emulator.failNext({ status: 429, resetInSeconds: 120 });

    const failure = await failureOf(
      provider,
      provider.publish(alice, { content: 'rate limited', idempotencyKey: 'target-1' }),
    );

    expect(failure).toMatchObject({ kind: 'retryable', rateLimited: true, statusCode: 429 });
    expect(failure.retryAfterMs).toBeGreaterThan(118_000);
    expect(failure.retryAfterMs).toBeLessThanOrEqual(120_000);
    expect(failure.message).toMatch(/^X rate limit reached \(429\); resets at \d{4}-\d{2}-\d{2}T/);
    expect(emulator.tweets).toHaveLength(0);
  });

  it('reports a 503 as unknown, and the next attempt succeeds', async () => {
    emulator.failNext({ status: 503 });

    const failure = await failureOf(
      provider,
      provider.publish(alice, { content: 'try again', idempotencyKey: 'target-1' }),
    );
    expect(failure).toEqual({
      kind: 'unknown',
      statusCode: 503,
      message: 'X server error (503): Service Unavailable',
    });
    expect(emulator.tweets).toHaveLength(0);

    await provider.publish(alice, { content: 'try again', idempotencyKey: 'target-1' });
    expect(emulator.tweets.map((t) => t.text)).toEqual(['try again']);
  });

  it('gives up after PLATFORM_TIMEOUT_MS and reports the timeout as unknown', async () => {
    emulator.failNext({ delayMs: TIMEOUT_MS * 3 });
    const started = Date.now();

    const failure = await failureOf(
      provider,
      provider.publish(alice, { content: 'too slow', idempotencyKey: 'target-1' }),
    );

    expect(failure).toEqual({ kind: 'unknown', message: 'Could not reach X: request timed out' });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(TIMEOUT_MS * 2.5);
  });

  it('reports a dropped connection as unknown', async () => {
    emulator.failNext({ dropConnection: true });

    const failure = await failureOf(
      provider,
      provider.publish(alice, { content: 'hang up', idempotencyKey: 'target-1' }),
    );

    expect(failure).toEqual({ kind: 'unknown', message: expect.stringMatching(/^Could not reach X: /) });
    expect(emulator.tweets).toHaveLength(0);
  });

  it('reports a refused connection as retryable (nothing was sent)', async () => {
    const port = await freePort();
    const nowhere = new XProvider(configFor(`http://127.0.0.1:${port}`));

    const failure = await failureOf(
      nowhere,
      nowhere.publish(alice, { content: 'anyone there?', idempotencyKey: 'target-1' }),
    );

    expect(failure).toEqual({
      kind: 'retryable',
      message: `Could not reach X: connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });

  it('finds a post that landed although its response was lost', async () => {
    const since = new Date();
    const content = 'Fish & chips <today> at https://example.com/menu?day=friday&time=noon';
    emulator.failNext({ delayMs: TIMEOUT_MS * 3, afterRecord: true });

    const failure = await failureOf(provider, provider.publish(alice, { content, idempotencyKey: 'target-1' }));
    expect(failure).toEqual({ kind: 'unknown', message: 'Could not reach X: request timed out' });
    expect(emulator.tweets).toHaveLength(1);

    const found = await provider.findPublished(alice, { content }, since);
    expect(found).toEqual({
      platformPostId: emulator.tweets[0].id,
      url: `https://x.com/i/web/status/${emulator.tweets[0].id}`,
    });
  });

  it('finds nothing for content never posted, by someone else, or before `since`', async () => {
    const since = new Date();
    await provider.publish(alice, { content: 'first post', idempotencyKey: 'target-1' });
    await provider.publish(bob, { content: 'bob only', idempotencyKey: 'target-1' });

    expect(await provider.findPublished(alice, { content: 'never posted' }, since)).toBeNull();
    expect(await provider.findPublished(alice, { content: 'bob only' }, since)).toBeNull();
    const later = new Date(Date.now() + 5 * 60_000);
    expect(await provider.findPublished(alice, { content: 'first post' }, later)).toBeNull();
    expect(await provider.findPublished(alice, { content: ' first post ' }, since)).toMatchObject({
      platformPostId: emulator.tweets[0].id,
    });
    const lookups = emulator.requests.filter((r) => r.endpoint === 'userTweets');
    expect(lookups.every((r) => r.path === `/2/users/${emulator.userFor(alice.accessToken).id}/tweets`)).toBe(true);
  });

  it('catches content over 280 weighted characters before X does', async () => {
    const content = '字'.repeat(141);
    expect(provider.validateContent(content)).toEqual([
      'content is 282 weighted characters; X allows at most 280 (URLs count as 23, emoji and CJK as 2)',
    ]);
    expect(provider.validateContent('字'.repeat(140))).toEqual([]);

    // And if it were sent anyway, X's refusal is permanent.
    const failure = await failureOf(provider, provider.publish(alice, { content, idempotencyKey: 'target-1' }));
    expect(failure).toMatchObject({ kind: 'permanent', statusCode: 400 });
    expect(failure.message).toMatch(/^X rejected the post \(400\): \$\.text: Tweet text is too long/);
    expect(emulator.tweets).toHaveLength(0);
  });

  it('obeys faults and resets queued through the HTTP control API', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${emulator.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post('/_emulator/faults', [{ status: 500, count: 2 }])).status).toBe(200);

    expect(
      (await failureOf(provider, provider.publish(alice, { content: 'a', idempotencyKey: 'target-1' }))).statusCode,
    ).toBe(500);
    expect(
      (await failureOf(provider, provider.publish(alice, { content: 'a', idempotencyKey: 'target-1' }))).statusCode,
    ).toBe(500);
    await provider.publish(alice, { content: 'a', idempotencyKey: 'target-1' });

    const response = await fetch(`${emulator.url}/_emulator/tweets`);
    const listed = (await response.json()) as { data: Array<{ text: string }> };
    expect(listed.data.map((t) => t.text)).toEqual(['a']);

    await post('/_emulator/revoke', { token: alice.accessToken });
    expect(
      (await failureOf(provider, provider.publish(alice, { content: 'b', idempotencyKey: 'target-1' }))).statusCode,
    ).toBe(401);
    await post('/_emulator/reset', {});
    await provider.publish(alice, { content: 'b', idempotencyKey: 'target-1' });
    expect(emulator.tweets.map((t) => t.text)).toEqual(['b']);
  });

  it('accepts only { accessToken } as credentials', () => {
    expect(provider.parseCredentials({ accessToken: '  abc123  ' })).toEqual({ accessToken: 'abc123' });

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
    expect(problems({ accessToken: 'abc', accessSecret: 'def' })).toEqual(['credentials.accessSecret']);
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
  async function publishInChild(extraCaCerts: string | undefined, content: string) {
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
        const published = await provider.publish({ accessToken: 'tls-token' }, { content: process.env.CHILD_CONTENT, idempotencyKey: 'target-1' });
        console.log(JSON.stringify({ published }));
      } catch (error) {
        console.log(JSON.stringify({ failure: provider.classifyError(error) }));
      }`;
    const env: NodeJS.ProcessEnv = { ...process.env, CHILD_X_URL: emulator.url, CHILD_CONTENT: content };
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
