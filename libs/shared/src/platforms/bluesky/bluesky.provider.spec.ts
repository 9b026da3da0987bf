import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  type BlueskyEmulator,
  type EmulatedAccount,
  startBlueskyEmulator,
} from '../../../../../emulators/bluesky/bluesky-emulator.js';
import { AppConfig } from '../../config/app-config.js';
import { loadEnvironment } from '../../config/environment.js';
import type { MediaAttachment, PublishFailure, PublishRequest } from '../platform-provider.js';
import type { BlueskyCredentials } from './bluesky-credentials.js';
import { BlueskyProvider } from './bluesky.provider.js';

const TIMEOUT_MS = 1000;

function configFor(serviceUrl: string): AppConfig {
  return new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      ADMIN_TOKEN: 'x'.repeat(20),
      BLUESKY_SERVICE_URL: serviceUrl,
      PLATFORM_TIMEOUT_MS: String(TIMEOUT_MS),
      PUBLISH_LEASE_SECONDS: '5',
    }),
  );
}

/** Runs `promise`, expects it to fail, and returns how the provider classifies the failure. */
async function failureOf(provider: BlueskyProvider, promise: Promise<unknown>): Promise<PublishFailure> {
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

/** A PNG header of the given size (what the PDS stores and Herald reads the aspect ratio from), then noise. */
function pngOf(width: number, height: number, sizeBytes = 2048): Buffer {
  const header = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  header.set([8, 6, 0, 0, 0], 24);
  return Buffer.concat([header, randomBytes(sizeBytes - header.length)]);
}

function attachment(bytes: Buffer, altText: string | null, mimeType = 'image/png'): MediaAttachment {
  return {
    mediaId: `media-${randomBytes(4).toString('hex')}`,
    mimeType,
    sizeBytes: bytes.length,
    altText,
    read: () => Promise.resolve(bytes),
    publicUrl: () => Promise.reject(new Error('Bluesky takes the bytes, not a URL')),
  };
}

const routesCalled = (emulator: BlueskyEmulator) => emulator.requests.map((r) => `${r.route} ${r.status}`);

describe('BlueskyProvider against the Bluesky emulator', () => {
  let emulator: BlueskyEmulator;
  let provider: BlueskyProvider;
  let account: EmulatedAccount;
  let credentials: BlueskyCredentials;

  beforeAll(async () => {
    emulator = await startBlueskyEmulator();
    provider = new BlueskyProvider(configFor(emulator.url));
  });
  beforeEach(() => {
    emulator.reset();
    account = emulator.createAccount();
    credentials = provider.parseCredentials({ identifier: account.handle, appPassword: account.appPassword });
  });
  afterAll(async () => {
    await emulator.close();
  });

  /** Credentials as the scheduler stores them: with a session. */
  const signedIn = () => provider.renewal.renew(credentials);

  it('declares what Bluesky lets Herald do to make a retry safe', () => {
    expect(provider.capabilities).toEqual({ findPublished: true, idempotencyKeys: false });
    expect(provider.rules).toMatchObject({ maxLength: 300, maxMedia: 4, maxMediaBytes: 2_000_000 });
  });

  describe('publish', () => {
    it('creates an app.bsky.feed.post record and returns its at:// URI, web link and cid', async () => {
      const stored = await signedIn();
      emulator.requests.length = 0;

      const published = await provider.publish(stored, textPost('Hello from Herald'));

      expect(emulator.posts).toHaveLength(1);
      const [post] = emulator.posts;
      expect(post.did).toBe(account.did);
      expect(post.value).toEqual({
        $type: 'app.bsky.feed.post',
        text: 'Hello from Herald',
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });
      expect(published).toEqual({
        platformPostId: post.uri,
        url: `https://bsky.app/profile/${account.did}/post/${post.rkey}`,
        ref: { cid: post.cid },
      });
      expect(post.uri).toBe(`at://${account.did}/app.bsky.feed.post/${post.rkey}`);
      // The stored session is used as it is: no sign-in, no refresh.
      expect(routesCalled(emulator)).toEqual(['createRecord 200']);
    });

    it('marks links, hashtags and mentions with UTF-8 byte ranges; an unknown handle stays plain text', async () => {
      const friend = emulator.createAccount();
      const text = `Café ☕ with @${friend.handle} and @nobody.bsky.social: https://example.com/a?b=1 #herald`;

      await provider.publish(await signedIn(), textPost(text));

      const { value } = emulator.posts[0];
      const bytes = Buffer.from(text);
      const slice = (facet: any) => bytes.subarray(facet.index.byteStart, facet.index.byteEnd).toString();
      const facets = (value.facets as any[]).map((facet) => [slice(facet), facet.features]);
      expect(facets).toEqual([
        [`@${friend.handle}`, [{ $type: 'app.bsky.richtext.facet#mention', did: friend.did }]],
        ['https://example.com/a?b=1', [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com/a?b=1' }]],
        ['#herald', [{ $type: 'app.bsky.richtext.facet#tag', tag: 'herald' }]],
      ]);
      expect(value.text).toBe(text);
    });

    it('uploads images as blobs and embeds them with alt text and aspect ratio', async () => {
      const wide = pngOf(1200, 800);
      const tall = pngOf(300, 600, 4096);

      await provider.publish(
        await signedIn(),
        textPost('Two pictures', { media: [attachment(wide, 'A wide one'), attachment(tall, null)] }),
      );

      const [post] = emulator.posts;
      expect(post.images.map(({ alt, blob }) => [alt, blob.mimeType, blob.data.length])).toEqual([
        ['A wide one', 'image/png', wide.length],
        ['', 'image/png', tall.length],
      ]);
      expect(post.images[0].blob.data.equals(wide)).toBe(true);
      const embed = post.value.embed as any;
      expect(embed.$type).toBe('app.bsky.embed.images');
      expect(embed.images.map((image: any) => image.aspectRatio)).toEqual([
        { width: 1200, height: 800 },
        { width: 300, height: 600 },
      ]);
      expect(embed.images[0].image).toEqual({
        $type: 'blob',
        ref: { $link: post.images[0].blob.cid },
        mimeType: 'image/png',
        size: wide.length,
      });
    });

    it('posts images without text', async () => {
      await provider.publish(await signedIn(), textPost('', { media: [attachment(pngOf(10, 10), 'dot')] }));

      expect(emulator.posts[0].value.text).toBe('');
      expect(emulator.posts[0].images).toHaveLength(1);
    });

    it('chains thread parts with reply references to the root and the parent', async () => {
      const stored = await signedIn();
      const root = await provider.publish(stored, textPost('1/3 A thread'));
      const second = await provider.publish(stored, textPost('2/3 goes on', { replyTo: { root, parent: root } }));
      await provider.publish(stored, textPost('3/3 and ends', { replyTo: { root, parent: second } }));

      const refs = emulator.posts.map((post) => post.value.reply);
      const ref = (post: typeof root) => ({ uri: post.platformPostId, cid: post.ref!.cid });
      expect(refs).toEqual([
        undefined,
        { root: ref(root), parent: ref(root) },
        { root: ref(root), parent: ref(second) },
      ]);
    });

    it('fetches the cid of a thread part published before it was kept', async () => {
      const stored = await signedIn();
      const root = await provider.publish(stored, textPost('1/2 root'));

      await provider.publish(
        stored,
        textPost('2/2 reply', { replyTo: { root: { ...root, ref: undefined }, parent: root } }),
      );

      expect(emulator.posts[1].value.reply).toEqual({
        root: { uri: root.platformPostId, cid: root.ref!.cid },
        parent: { uri: root.platformPostId, cid: root.ref!.cid },
      });
    });

    it('signs in for the call when no session is stored yet', async () => {
      await provider.publish(credentials, textPost('First post'));

      expect(emulator.posts).toHaveLength(1);
      expect(routesCalled(emulator)).toEqual(['createSession 200', 'createRecord 200']);
    });

    it('signs in afresh, once, when the PDS refuses the stored session', async () => {
      const stored = await signedIn();
      const [header, , signature] = stored.session!.accessJwt.split('.');
      const forged = Buffer.from(JSON.stringify({ sub: account.did, exp: Date.now() / 1000 + 3600 })).toString(
        'base64url',
      );
      const refused = { ...stored, session: { ...stored.session!, accessJwt: `${header}.${forged}.${signature}` } };
      emulator.requests.length = 0;

      await provider.publish(refused, textPost('Still lands'));

      expect(emulator.posts.map((post) => post.value.text)).toEqual(['Still lands']);
      expect(routesCalled(emulator)).toEqual(['createRecord 400', 'createSession 200', 'createRecord 200']);
    });

    it('reports a revoked app password as rejected credentials, without the password in the message', async () => {
      const stored = await signedIn();
      emulator.revoke(account.appPassword);

      const failure = await failureOf(provider, provider.publish(stored, textPost('never lands')));

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 401,
        credentialsRejected: true,
        message: 'Bluesky rejected the credentials (401): AuthenticationRequired: Invalid identifier or password',
      });
      expect(failure.message).not.toContain(account.appPassword);
      expect(emulator.posts).toHaveLength(0);
    });

    it('reports a post the PDS refuses as permanent, quoting its reason', async () => {
      const failure = await failureOf(provider, provider.publish(await signedIn(), textPost('é'.repeat(301))));

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 400,
        message:
          'Bluesky rejected the request (400): InvalidRequest: Invalid app.bsky.feed.post record: ' +
          'Record/text must not be longer than 300 graphemes',
      });
      expect(emulator.posts).toHaveLength(0);
    });
  });

  describe('findPublished', () => {
    it('finds a post that landed although its answer was lost', async () => {
      const stored = await signedIn();
      const since = new Date();
      emulator.failNext({ route: 'createRecord', status: 500, afterRecord: true });
      const failure = await failureOf(provider, provider.publish(stored, textPost('Landed, then lost')));
      expect(failure.kind).toBe('unknown');

      const found = await provider.findPublished(stored, { text: 'Landed, then lost' }, since);

      const [post] = emulator.posts;
      expect(found).toEqual({
        platformPostId: post.uri,
        url: `https://bsky.app/profile/${account.did}/post/${post.rkey}`,
        ref: { cid: post.cid },
      });
    });

    it('tells a thread part by the post it answers', async () => {
      const stored = await signedIn();
      const since = new Date();
      const root = await provider.publish(stored, textPost('root'));
      const other = await provider.publish(stored, textPost('other root'));
      const reply = await provider.publish(stored, textPost('same words', { replyTo: { root, parent: root } }));
      await provider.publish(stored, textPost('same words', { replyTo: { root: other, parent: other } }));
      await provider.publish(stored, textPost('same words'));

      expect(
        await provider.findPublished(stored, { text: 'same words', replyTo: { root, parent: root } }, since),
      ).toEqual(reply);
    });

    it('resolves null when no post matches, or only older ones', async () => {
      const stored = await signedIn();
      await provider.publish(stored, textPost('an old post'));
      const later = new Date(Date.now() + 5 * 60_000);

      expect(await provider.findPublished(stored, { text: 'never posted' }, new Date(0))).toBeNull();
      expect(await provider.findPublished(stored, { text: 'an old post' }, later)).toBeNull();
    });

    it('pages through the repository', async () => {
      const stored = await signedIn();
      const since = new Date();
      await provider.publish(stored, textPost('the one'));
      for (let index = 0; index < 100; index += 1) await provider.publish(stored, textPost(`filler ${index}`));
      emulator.requests.length = 0;

      expect(await provider.findPublished(stored, { text: 'the one' }, since)).toMatchObject({
        platformPostId: emulator.posts[0].uri,
      });
      expect(routesCalled(emulator)).toEqual(['listRecords 200', 'listRecords 200']);
    });
  });

  describe('verifyCredentials', () => {
    it('signs in and tells whose account it is, by handle, @handle, DID or email', async () => {
      const identity = { externalId: account.did, displayName: `@${account.handle}` };
      for (const identifier of [account.handle, `@${account.handle}`, account.did, account.email]) {
        const given = provider.parseCredentials({ identifier, appPassword: account.appPassword });
        expect(await provider.verifyCredentials(given)).toEqual(identity);
      }
    });

    it('reports a wrong app password as rejected credentials', async () => {
      const wrong = provider.parseCredentials({ identifier: account.handle, appPassword: 'aaaa-bbbb-cccc-dddd' });

      expect(await failureOf(provider, provider.verifyCredentials(wrong))).toEqual({
        kind: 'permanent',
        statusCode: 401,
        credentialsRejected: true,
        message: 'Bluesky rejected the credentials (401): AuthenticationRequired: Invalid identifier or password',
      });
    });

    it('reports too many sign-ins as rate limited, per the PDS’s sign-in policy', async () => {
      emulator.failNext({
        route: 'createSession',
        status: 429,
        headers: { 'ratelimit-limit': '30', 'ratelimit-policy': '30;w=300' },
      });

      const failure = await failureOf(provider, provider.verifyCredentials(credentials));

      expect(failure).toMatchObject({ kind: 'retryable', rateLimited: true, statusCode: 429 });
      expect(failure.message).toContain('limit 30;w=300');
    });
  });

  describe('renewal', () => {
    it('is due at once for credentials without a session, and some minutes before the access token expires', async () => {
      expect(provider.renewal.renewAt(credentials)!.getTime()).toBeLessThanOrEqual(Date.now());

      const renewed = await provider.renewal.renew(credentials);

      expect(renewed).toEqual({
        identifier: account.handle,
        appPassword: account.appPassword,
        session: {
          did: account.did,
          handle: account.handle,
          accessJwt: expect.any(String),
          refreshJwt: expect.any(String),
        },
      });
      const inTwoHours = Date.now() + 2 * 60 * 60_000;
      const renewAt = provider.renewal.renewAt(renewed)!.getTime();
      expect(renewAt).toBeGreaterThan(inTwoHours - 16 * 60_000);
      expect(renewAt).toBeLessThan(inTwoHours - 14 * 60_000);
      expect(provider.parseCredentials(JSON.parse(JSON.stringify(renewed)))).toEqual(renewed);
    });

    it('refreshes the session, rotating the refresh token', async () => {
      const first = await provider.renewal.renew(credentials);

      const second = await provider.renewal.renew(first);

      expect(second.session!.refreshJwt).not.toBe(first.session!.refreshJwt);
      expect(routesCalled(emulator)).toEqual(['createSession 200', 'refreshSession 200']);
      await provider.publish(second, textPost('with the renewed session'));
      expect(emulator.posts).toHaveLength(1);
    });

    it('signs in again when the refresh token is spent', async () => {
      const first = await provider.renewal.renew(credentials);
      await provider.renewal.renew(first);
      emulator.requests.length = 0;

      const again = await provider.renewal.renew(first);

      expect(again.session!.did).toBe(account.did);
      expect(routesCalled(emulator)).toEqual(['refreshSession 400', 'createSession 200']);
    });

    it('reports a revoked app password as rejected credentials', async () => {
      const stored = await provider.renewal.renew(credentials);
      emulator.revoke(account.appPassword);

      expect(await failureOf(provider, provider.renewal.renew(stored))).toMatchObject({
        kind: 'permanent',
        statusCode: 401,
        credentialsRejected: true,
      });
    });

    it('reports a PDS outage as unknown, not as rejected credentials', async () => {
      const stored = await provider.renewal.renew(credentials);
      emulator.failNext({ route: 'refreshSession', status: 503 });

      const failure = await failureOf(provider, provider.renewal.renew(stored));

      expect(failure).toMatchObject({ kind: 'unknown', statusCode: 503 });
      expect(failure.credentialsRejected).toBeUndefined();
    });
  });
});

describe('BlueskyProvider with short-lived access tokens', () => {
  let emulator: BlueskyEmulator;
  let provider: BlueskyProvider;

  beforeAll(async () => {
    emulator = await startBlueskyEmulator({ accessTokenSeconds: 120 });
    provider = new BlueskyProvider(configFor(emulator.url));
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('does not use a stored access token about to expire, and renews within its lifetime', async () => {
    const account = emulator.createAccount();
    const before = Date.now();
    const stored = await provider.renewal.renew(
      provider.parseCredentials({ identifier: account.did, appPassword: account.appPassword }),
    );
    const after = Date.now();
    emulator.requests.length = 0;

    await provider.publish(stored, textPost('with a fresh session'));

    expect(routesCalled(emulator)).toEqual(['createSession 200', 'createRecord 200']);
    // Issued (in whole seconds) during renew() for 120 s; renewal comes after three quarters of that, at 90 s.
    const renewAt = provider.renewal.renewAt(stored)!.getTime();
    expect(renewAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 90_000);
    expect(renewAt).toBeLessThanOrEqual(after + 90_000);
  });
});
