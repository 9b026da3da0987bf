import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type MastodonEmulator, startMastodonEmulator } from '../../../../../emulators/mastodon/mastodon-emulator.js';
import { AppConfig } from '../../config/app-config.js';
import { loadEnvironment } from '../../config/environment.js';
import { DomainError } from '../../errors/domain-error.js';
import type { MediaAttachment, PublishFailure, PublishRequest } from '../platform-provider.js';
import type { MastodonCredentials } from './mastodon-credentials.js';
import { MastodonProvider } from './mastodon.provider.js';

const TIMEOUT_MS = 1000;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function configFor(privateNetworkAllowlist: string): AppConfig {
  return new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      ADMIN_TOKEN: 'x'.repeat(20),
      PLATFORM_TIMEOUT_MS: String(TIMEOUT_MS),
      PUBLISH_LEASE_SECONDS: '5',
      PRIVATE_NETWORK_ALLOWLIST: privateNetworkAllowlist,
    }),
  );
}

const image = (data: Buffer, mimeType: string, altText: string | null): MediaAttachment => ({
  mediaId: `media-${mimeType}`,
  mimeType,
  sizeBytes: data.length,
  altText,
  read: () => Promise.resolve(data),
  publicUrl: () => Promise.reject(new Error('Mastodon uploads the bytes')),
});

const post = (text: string, extra: Partial<PublishRequest> = {}): PublishRequest => ({
  text,
  media: [],
  idempotencyKey: `target-${text.length}-${text.slice(0, 10)}`,
  ...extra,
});

/** Runs `promise`, expects it to fail, and returns how the provider classifies the failure. */
async function failureOf(provider: MastodonProvider, promise: Promise<unknown>): Promise<PublishFailure> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeDefined();
  return provider.classifyError(outcome);
}

describe('MastodonProvider against the Mastodon emulator', () => {
  let emulator: MastodonEmulator;
  let provider: MastodonProvider;
  let alice: MastodonCredentials;
  let bob: MastodonCredentials;

  beforeAll(async () => {
    emulator = await startMastodonEmulator();
    provider = new MastodonProvider(configFor('127.0.0.1'));
    alice = { instanceUrl: emulator.url, accessToken: emulator.createAccount({ username: 'alice' }).token };
    bob = { instanceUrl: emulator.url, accessToken: emulator.createAccount({ username: 'bob' }).token };
  });
  beforeEach(() => emulator.reset());
  afterAll(async () => {
    await emulator.close();
  });

  const calls = () => emulator.requests.map((r) => `${r.method} ${r.route ?? r.path} ${r.status}`);

  it('declares idempotency keys and a lookup of published statuses', () => {
    expect(provider.capabilities).toEqual({ findPublished: true, idempotencyKeys: true });
  });

  it('publishes a public status with the account’s token', async () => {
    const published = await provider.publish(alice, post('Hello from Herald'));

    expect(emulator.statuses).toHaveLength(1);
    const [status] = emulator.statuses;
    expect(status).toMatchObject({ text: 'Hello from Herald', visibility: 'public', inReplyToId: null, media: [] });
    expect(status.accountId).toBe(emulator.accountOf(alice.accessToken)?.id);
    expect(published).toEqual({ platformPostId: status.id, url: `${emulator.url}/@alice/${status.id}` });
    expect(calls()).toEqual(['POST createStatus 200']);
  });

  it('answers a resend with the same idempotency key with the status created the first time', async () => {
    emulator.failNext({ route: 'createStatus', afterRecord: true, dropConnection: true });

    const lost = await failureOf(provider, provider.publish(alice, post('Once only', { idempotencyKey: 'part-1' })));
    expect(lost).toEqual({ kind: 'unknown', message: expect.stringMatching(/^Could not reach Mastodon: /) });
    expect(emulator.statuses).toHaveLength(1);

    const resent = await provider.publish(alice, post('Once only', { idempotencyKey: 'part-1' }));
    expect(resent.platformPostId).toBe(emulator.statuses[0].id);
    expect(emulator.statuses).toHaveLength(1);

    // Another key is another status, even with the same words.
    await provider.publish(alice, post('Once only', { idempotencyKey: 'part-2' }));
    expect(emulator.statuses).toHaveLength(2);
  });

  it('uploads an image with its alt text and attaches it', async () => {
    await provider.publish(alice, post('With a picture', { media: [image(PNG, 'image/png', 'A red dot')] }));

    const [status] = emulator.statuses;
    expect(status.media).toHaveLength(1);
    expect(status.media[0]).toMatchObject({ mimeType: 'image/png', description: 'A red dot' });
    expect(status.media[0].data.equals(PNG)).toBe(true);
    expect(calls()).toEqual(['POST uploadMedia 200', 'POST createStatus 200']);
  });

  it('waits for images Mastodon processes in the background, keeping their order', async () => {
    const media = [image(GIF, 'image/gif', 'Animated'), image(PNG, 'image/png', null)];
    await provider.publish(alice, post('Two pictures', { media }));

    const [status] = emulator.statuses;
    expect(status.media.map((item) => [item.mimeType, item.description])).toEqual([
      ['image/gif', 'Animated'],
      ['image/png', null],
    ]);
    const log = calls();
    expect(log[0]).toBe('POST uploadMedia 202');
    const polls = log.filter((line) => line.startsWith('GET getMedia'));
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(polls[polls.length - 1]).toBe('GET getMedia 200');
    expect(log.slice(-2)).toEqual(['POST uploadMedia 200', 'POST createStatus 200']);
  });

  it('gives up on an image still processing after the timeout, as retryable: nothing was posted', async () => {
    emulator.setMediaProcessingMs(60_000);

    const failure = await failureOf(
      provider,
      provider.publish(alice, post('Slow GIF', { media: [image(GIF, 'image/gif', null)] })),
    );

    expect(failure).toEqual({
      kind: 'retryable',
      message: expect.stringMatching(/^Mastodon was still processing media \d+ after \d+ ms; nothing was posted$/),
    });
    expect(emulator.statuses).toHaveLength(0);
    emulator.setMediaProcessingMs(300);
  });

  it('publishes a thread, each part replying to the one before', async () => {
    const root = await provider.publish(alice, post('1/3 A thread'));
    const second = await provider.publish(alice, post('2/3 goes on', { replyTo: { root, parent: root } }));
    const third = await provider.publish(alice, post('3/3 and ends', { replyTo: { root, parent: second } }));

    expect(emulator.statuses.map((s) => [s.id, s.text, s.inReplyToId])).toEqual([
      [root.platformPostId, '1/3 A thread', null],
      [second.platformPostId, '2/3 goes on', root.platformPostId],
      [third.platformPostId, '3/3 and ends', second.platformPostId],
    ]);
  });

  it('tells whose credentials these are, as @user@instance', async () => {
    const identity = await provider.verifyCredentials(alice);

    expect(identity).toEqual({
      externalId: emulator.accountOf(alice.accessToken)?.id,
      displayName: `@alice@${new URL(emulator.url).host}`,
    });
  });

  it('reports an unknown token as rejected credentials, without the token in the message', async () => {
    const stranger = { instanceUrl: emulator.url, accessToken: 'not-a-token-of-this-instance' };

    const failure = await failureOf(provider, provider.verifyCredentials(stranger));

    expect(failure).toEqual({
      kind: 'permanent',
      statusCode: 401,
      credentialsRejected: true,
      message: 'Mastodon rejected the credentials (401): The access token is invalid',
    });
  });

  it('reports a revoked token as rejected credentials when publishing', async () => {
    emulator.revokeToken(bob.accessToken);

    const failure = await failureOf(provider, provider.publish(bob, post('never lands')));

    expect(failure).toEqual({
      kind: 'permanent',
      statusCode: 401,
      credentialsRejected: true,
      message: 'Mastodon rejected the credentials (401): The access token was revoked',
    });
    expect(failure.message).not.toContain(bob.accessToken);
    expect(emulator.statuses).toHaveLength(0);
  });

  it('reports a token without the write scope as rejected credentials', async () => {
    const reader = { instanceUrl: emulator.url, accessToken: emulator.createAccount({ scopes: ['read'] }).token };

    expect((await provider.verifyCredentials(reader)).displayName).toMatch(/^@user\d+@/);
    const failure = await failureOf(provider, provider.publish(reader, post('cannot write')));

    expect(failure).toEqual({
      kind: 'permanent',
      statusCode: 403,
      credentialsRejected: true,
      message: 'Mastodon rejected the credentials (403): This action is outside the authorized scopes',
    });
  });

  it('reports a refused status as permanent, quoting Mastodon’s reason', async () => {
    const text = 'a'.repeat(501);
    expect(provider.rules.countLength(text)).toBe(501);

    const failure = await failureOf(provider, provider.publish(alice, post(text)));

    expect(failure).toEqual({
      kind: 'permanent',
      statusCode: 422,
      message: 'Mastodon rejected the request (422): Validation failed: Text character limit of 500 exceeded',
    });
    expect(emulator.statuses).toHaveLength(0);
  });

  it('reports media refused for still processing as retryable', async () => {
    emulator.failNext({
      route: 'createStatus',
      status: 422,
      body: { error: 'Cannot attach files that have not finished processing. Try again in a moment!' },
    });

    const failure = await failureOf(provider, provider.publish(alice, post('not yet')));

    expect(failure).toMatchObject({ kind: 'retryable', statusCode: 422 });
  });

  it('refuses to reach an instance on a private address unless allow-listed (SSRF)', async () => {
    const guarded = new MastodonProvider(configFor(''));

    const failure = await failureOf(guarded, guarded.publish(alice, post('to loopback')));
    expect(failure.kind).toBe('permanent');
    expect(failure.message).toMatch(/^Mastodon: address not allowed/);
    expect(failure.message).not.toContain('127.0.0.1');
    expect((await failureOf(guarded, guarded.verifyCredentials(alice))).kind).toBe('permanent');
    expect(emulator.requests).toHaveLength(0);
  });

  describe('findPublished', () => {
    const since = () => new Date(Date.now() - 1000);

    it('finds a status that landed although its response was lost, however Mastodon rendered it', async () => {
      const started = since();
      const text =
        'Fish & chips <today> at https://example.com/menu/a-very-long-path/that-gets-shortened?day=friday\n\n' +
        'with @bob and @carol@other.example\nsee you there';
      emulator.failNext({ route: 'createStatus', afterRecord: true, delayMs: TIMEOUT_MS * 3 });

      const failure = await failureOf(provider, provider.publish(alice, post(text)));
      expect(failure).toEqual({ kind: 'unknown', message: 'Could not reach Mastodon: request timed out' });
      const [status] = emulator.statuses;
      expect(status.content).toContain('<span class="invisible">');
      expect(status.content).toContain('@<span>carol</span>');

      expect(await provider.findPublished(alice, { text }, started)).toEqual({
        platformPostId: status.id,
        url: `${emulator.url}/@alice/${status.id}`,
      });
    });

    it('finds a thread part only as a reply to its parent', async () => {
      const started = since();
      const root = await provider.publish(alice, post('Root'));
      const other = await provider.publish(alice, post('Another root'));
      const reply = await provider.publish(alice, post('Same words', { replyTo: { root, parent: root } }));

      expect(
        await provider.findPublished(alice, { text: 'Same words', replyTo: { root, parent: root } }, started),
      ).toEqual(reply);
      expect(
        await provider.findPublished(alice, { text: 'Same words', replyTo: { root: other, parent: other } }, started),
      ).toBeNull();
      expect(await provider.findPublished(alice, { text: 'Same words' }, started)).toBeNull();
    });

    it('finds nothing never posted, posted by someone else, or posted before `since`', async () => {
      const started = since();
      await provider.publish(alice, post('first post'));
      await provider.publish(bob, post('bob only'));

      expect(await provider.findPublished(alice, { text: 'never posted' }, started)).toBeNull();
      expect(await provider.findPublished(alice, { text: 'bob only' }, started)).toBeNull();
      const later = new Date(Date.now() + 5 * 60_000);
      expect(await provider.findPublished(alice, { text: 'first post' }, later)).toBeNull();
      expect(await provider.findPublished(alice, { text: ' first  post ' }, started)).toMatchObject({
        platformPostId: emulator.statuses[0].id,
      });
    });

    it('reads further pages of the account’s statuses', async () => {
      const started = since();
      await provider.publish(alice, post('The one we look for'));
      for (let index = 0; index < 45; index += 1) {
        await provider.publish(alice, post(`Filler ${index}`, { idempotencyKey: `filler-${index}` }));
      }

      expect(await provider.findPublished(alice, { text: 'The one we look for' }, started)).toMatchObject({
        platformPostId: emulator.statuses[0].id,
      });
      const pages = emulator.requests.filter((r) => r.route === 'accountStatuses');
      expect(pages).toHaveLength(2);
    });
  });

  it('lets tests create accounts and revoke tokens through the HTTP control API', async () => {
    const created = (await (await fetch(`${emulator.url}/_emulator/accounts`, { method: 'POST' })).json()) as {
      token: string;
    };
    const carol = { instanceUrl: emulator.url, accessToken: created.token };
    await provider.publish(carol, post('hi'));

    const listed = (await (await fetch(`${emulator.url}/_emulator/statuses`)).json()) as { data: { text: string }[] };
    expect(listed.data.map((status) => status.text)).toEqual(['hi']);

    await fetch(`${emulator.url}/_emulator/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: created.token }),
    });
    expect((await failureOf(provider, provider.publish(carol, post('bye')))).credentialsRejected).toBe(true);
  });

  describe('parseCredentials', () => {
    const fieldsOf = (input: unknown) => {
      try {
        provider.parseCredentials(input);
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        return (error as DomainError).details?.map((detail) => detail.field);
      }
    };

    it('normalises the instance to its origin', () => {
      const parse = (instanceUrl: string) => provider.parseCredentials({ instanceUrl, accessToken: ' abc ' });
      expect(parse('https://Mastodon.Social/')).toEqual({ instanceUrl: 'https://mastodon.social', accessToken: 'abc' });
      expect(parse('mastodon.social')).toEqual({ instanceUrl: 'https://mastodon.social', accessToken: 'abc' });
      expect(parse('  http://10.0.0.5:3000 ')).toEqual({ instanceUrl: 'http://10.0.0.5:3000', accessToken: 'abc' });
      expect(parse('https://bücher.example')).toEqual({
        instanceUrl: 'https://xn--bcher-kva.example',
        accessToken: 'abc',
      });
    });

    it('refuses what is not an instance address or a token', () => {
      const withInstance = (instanceUrl: unknown) => fieldsOf({ instanceUrl, accessToken: 'abc' });
      for (const bad of [
        undefined,
        42,
        '',
        'not a url',
        'ftp://mastodon.social',
        'https://user:secret@mastodon.social',
        'https://mastodon.social/@alice',
        'https://mastodon.social/?x=1',
        'https://mastodon.social/#top',
      ]) {
        expect([bad, withInstance(bad)]).toEqual([bad, ['credentials.instanceUrl']]);
      }
      expect(fieldsOf({ instanceUrl: 'https://mastodon.social' })).toEqual(['credentials.accessToken']);
      expect(fieldsOf({ instanceUrl: 'https://mastodon.social', accessToken: 'two words' })).toEqual([
        'credentials.accessToken',
      ]);
      expect(fieldsOf({ instanceUrl: 'https://mastodon.social', accessToken: 'abc', password: 'x' })).toEqual([
        'credentials.password',
      ]);
      expect(fieldsOf('https://mastodon.social')).toEqual(['credentials.instanceUrl', 'credentials.accessToken']);
    });
  });
});
