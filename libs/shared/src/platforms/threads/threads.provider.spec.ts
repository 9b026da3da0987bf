import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type ImageHost, startImageHost } from '../../../../../emulators/threads/image-host.js';
import { startThreadsEmulator, type ThreadsEmulator } from '../../../../../emulators/threads/threads-emulator.js';
import { AppConfig } from '../../config/app-config.js';
import { loadEnvironment } from '../../config/environment.js';
import type { MediaAttachment, PublishedPost, PublishFailure, PublishRequest } from '../platform-provider.js';
import type { ThreadsCredentials } from './threads-credentials.js';
import { ThreadsProvider } from './threads.provider.js';

const TIMEOUT_MS = 1000;
/** A lease of 8 s gives a publish 2 s to wait for Threads to process its containers. */
const LEASE_SECONDS = 8;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4096, 7)]);

function configFor(apiBaseUrl: string): AppConfig {
  return new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      ADMIN_TOKEN: 'x'.repeat(20),
      THREADS_API_BASE_URL: apiBaseUrl,
      PLATFORM_TIMEOUT_MS: String(TIMEOUT_MS),
      PUBLISH_LEASE_SECONDS: String(LEASE_SECONDS),
    }),
  );
}

/** Runs `promise`, expects it to fail, and returns how the provider classifies the failure. */
async function failureOf(provider: ThreadsProvider, promise: Promise<unknown>): Promise<PublishFailure> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeDefined();
  return provider.classifyError(outcome);
}

describe('ThreadsProvider against the Threads emulator', () => {
  let emulator: ThreadsEmulator;
  let images: ImageHost;
  let provider: ThreadsProvider;
  let alice: ThreadsCredentials;
  let bob: ThreadsCredentials;

  const text = (value: string, replyTo?: PublishRequest['replyTo']): PublishRequest => ({
    text: value,
    media: [],
    replyTo,
    idempotencyKey: 'target-1:0',
  });
  const attachment = (url: string, bytes: Buffer, altText: string | null): MediaAttachment => ({
    mediaId: url,
    mimeType: bytes === PNG ? 'image/png' : 'image/jpeg',
    sizeBytes: bytes.length,
    altText,
    read: () => Promise.resolve(bytes),
    publicUrl: () => Promise.resolve(url),
  });
  const credentialsOf = ({ user, token }: ReturnType<ThreadsEmulator['createAccount']>): ThreadsCredentials => ({
    userId: user.id,
    accessToken: token.value,
    expiresAt: token.expiresAt.toISOString(),
  });
  const routes = () => emulator.requests.map((request) => request.route);

  beforeAll(async () => {
    emulator = await startThreadsEmulator({ processingMs: 100 });
    images = await startImageHost();
    provider = new ThreadsProvider(configFor(emulator.url));
    alice = credentialsOf(emulator.createAccount('alice'));
    bob = credentialsOf(emulator.createAccount('bob'));
  });
  beforeEach(() => {
    emulator.reset();
    emulator.setProcessingMs(100);
  });
  afterAll(async () => {
    await emulator?.close();
    await images?.close();
  });

  it('declares what Threads lets Herald do to make a retry safe', () => {
    expect(provider.capabilities).toEqual({ findPublished: true, idempotencyKeys: false });
    expect(provider.rules).toMatchObject({ maxLength: 500, maxMedia: 20, maxThreadLength: 25 });
  });

  describe('publish', () => {
    it('publishes a text post in two steps: a container, then threads_publish', async () => {
      const published = await provider.publish(alice, text('Hello from Herald 👋'));

      expect(emulator.posts).toHaveLength(1);
      const [post] = emulator.posts;
      expect(post).toMatchObject({ text: 'Hello from Herald 👋', userId: alice.userId, mediaType: 'TEXT_POST' });
      expect(post.replyToId).toBeNull();
      expect(published).toEqual({ platformPostId: post.id, url: post.permalink });
      expect(published.url).toMatch(/^https:\/\/www\.threads\.com\/@alice\/post\/[\w-]+$/);
      expect(routes()).toEqual(['createContainer', 'object', 'publish', 'object']);
      expect(emulator.requests.every((request) => request.status === 200)).toBe(true);
    });

    it('publishes an image Threads pulls from its public URL, with its alt text, once processed', async () => {
      emulator.holdNextContainer(2);
      const url = images.serve('/media/photo.png', PNG, 'image/png');

      const published = await provider.publish(alice, {
        ...text('Look at this'),
        media: [attachment(url, PNG, 'A single white pixel')],
      });

      expect(emulator.posts).toHaveLength(1);
      const [post] = emulator.posts;
      expect(post).toMatchObject({ id: published.platformPostId, text: 'Look at this', mediaType: 'IMAGE' });
      expect(post.images).toHaveLength(1);
      expect(post.images[0]).toMatchObject({ url, mimeType: 'image/png', altText: 'A single white pixel' });
      expect(post.images[0].bytes.equals(PNG)).toBe(true);
      expect(images.requested).toContain('/media/photo.png');
      // Two IN_PROGRESS answers, then FINISHED, then the permalink: the provider polled until it was ready.
      expect(routes().filter((route) => route === 'object')).toHaveLength(4);
      expect(emulator.requests.find((request) => request.route === 'publish')?.status).toBe(200);
    });

    it('publishes several images as one carousel, in order, without text', async () => {
      const urls = ['/a.png', '/b.jpg', '/c.png'].map((path) =>
        images.serve(path, path.endsWith('.jpg') ? JPEG : PNG, 'image/*'),
      );

      await provider.publish(alice, {
        ...text(''),
        media: urls.map((url, index) =>
          attachment(url, url.endsWith('.jpg') ? JPEG : PNG, index === 1 ? null : `alt ${index}`),
        ),
      });

      expect(emulator.posts).toHaveLength(1);
      const [post] = emulator.posts;
      expect(post).toMatchObject({ mediaType: 'CAROUSEL_ALBUM', text: null });
      expect(post.images.map((image) => [image.url, image.mimeType, image.altText])).toEqual([
        [urls[0], 'image/png', 'alt 0'],
        [urls[1], 'image/jpeg', null],
        [urls[2], 'image/png', 'alt 2'],
      ]);
      expect(routes().filter((route) => route === 'createContainer')).toHaveLength(4);
    });

    it('publishes a thread: each later part replies to the part before it', async () => {
      const first = await provider.publish(alice, text('1/3 A thread'));
      const second = await provider.publish(alice, text('2/3 goes on', { root: first, parent: first }));
      const third = await provider.publish(alice, text('3/3 and ends', { root: first, parent: second }));

      expect(emulator.posts.map((post) => [post.id, post.text, post.replyToId, post.rootId])).toEqual([
        [first.platformPostId, '1/3 A thread', null, first.platformPostId],
        [second.platformPostId, '2/3 goes on', first.platformPostId, first.platformPostId],
        [third.platformPostId, '3/3 and ends', second.platformPostId, first.platformPostId],
      ]);
    });

    it('reports an image Threads cannot download as permanent, quoting Threads', async () => {
      const failure = await failureOf(
        provider,
        provider.publish(alice, {
          ...text('broken'),
          media: [attachment(`${images.url}/gone.png?sig=secret`, PNG, null)],
        }),
      );

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 400,
        message:
          `Threads rejected the request (400): Media download has failed: The media could not be fetched from this ` +
          `URI: ${images.url}/gone.png Please check the limitations section of our development documents for more ` +
          'details. (code 1/2207052)',
      });
      expect(emulator.posts).toHaveLength(0);
    });

    it('reports a container Threads could not process as permanent, and publishes nothing', async () => {
      emulator.failNextContainer('FAILED_PROCESSING_IMAGE');
      const url = images.serve('/media/odd.png', PNG, 'image/png');

      const failure = await failureOf(
        provider,
        provider.publish(alice, { ...text('odd'), media: [attachment(url, PNG, null)] }),
      );

      expect(failure).toEqual({
        kind: 'permanent',
        message: 'Threads could not process the post: FAILED_PROCESSING_IMAGE',
      });
      expect(routes()).not.toContain('publish');
      expect(emulator.posts).toHaveLength(0);
    });

    it('gives up waiting for a container within the lease, as retryable: nothing was published', async () => {
      emulator.setProcessingMs(60_000);
      const url = images.serve('/media/slow.png', PNG, 'image/png');

      const failure = await failureOf(
        provider,
        provider.publish(alice, { ...text('slow'), media: [attachment(url, PNG, null)] }),
      );

      expect(failure).toEqual({
        kind: 'retryable',
        message: 'Threads was still processing the post after 2 s; nothing was published',
      });
      // It stopped polling once the next wait would pass its budget (a quarter of the lease): the waits
      // before giving up (250, 500, 1000 ms) fit in those 2 s, so a slow machine polls fewer times, never more.
      const polls = routes().filter((route) => route === 'object').length;
      expect(polls).toBeGreaterThanOrEqual(1);
      expect(polls).toBeLessThanOrEqual(4);
      expect(routes()).not.toContain('publish');
    });
  });

  describe('classifyError', () => {
    it('takes a Retry-After header into account when one comes along', async () => {
      emulator.failNext({ route: 'publish', status: 429, headers: { 'retry-after': '120' } });

      const failure = await failureOf(provider, provider.publish(alice, text('rate limited')));

      expect(failure).toMatchObject({ kind: 'retryable', rateLimited: true, retryAfterMs: 120_000 });
    });

    it.each([
      [400, 4, '(#4) Application request limit reached'],
      [400, 17, '(#17) User request limit reached'],
      [403, 32, '(#32) Page request limit reached'],
      [400, 613, '(#613) Calls to this api have exceeded the rate limit.'],
    ])('reports Graph rate limit answers (HTTP %i, code %i) as rate limited', async (status, code, message) => {
      emulator.failNext({
        route: 'createContainer',
        status,
        body: { error: { message, type: 'OAuthException', code } },
      });

      const failure = await failureOf(provider, provider.publish(alice, text('limited')));

      expect(failure).toMatchObject({ kind: 'retryable', rateLimited: true, statusCode: status });
      expect(failure.message).toBe(`Threads rate limit reached (${status}): ${message} (code ${code})`);
    });

    it('reports a 5xx before threads_publish as retryable: only threads_publish makes a post appear', async () => {
      emulator.failNext({ route: 'createContainer', status: 503 });

      const failure = await failureOf(provider, provider.publish(alice, text('not yet')));

      expect(failure).toMatchObject({ kind: 'retryable', statusCode: 503 });
      expect(failure.message).toMatch(
        /^Threads server error \(503\): .*\(while preparing the post: nothing was published\)$/,
      );
    });

    it('reports a timeout before threads_publish as retryable', async () => {
      emulator.failNext({ route: 'createContainer', delayMs: TIMEOUT_MS * 3 });
      expect(await failureOf(provider, provider.publish(alice, text('too slow')))).toEqual({
        kind: 'retryable',
        message: 'Could not reach Threads: request timed out (while preparing the post: nothing was published)',
      });
    });

    it('reports text Threads refuses as permanent, quoting Threads', async () => {
      const failure = await failureOf(provider, provider.publish(alice, text('😀'.repeat(126))));

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 400,
        message:
          'Threads rejected the request (400): (#100) Param text must be at most 500 characters long (it counts 504) ' +
          '(code 100)',
      });
    });

    it('reports a revoked token as rejected credentials, without the token in the message', async () => {
      const carol = credentialsOf(emulator.createAccount('carol'));
      emulator.revokeToken(carol.accessToken);

      const failure = await failureOf(provider, provider.publish(carol, text('never lands')));

      expect(failure).toMatchObject({ kind: 'permanent', statusCode: 400, credentialsRejected: true });
      expect(failure.message).toMatch(
        /^Threads rejected the credentials \(400\): Error validating access token: .*\(code 190\/458\)$/,
      );
      expect(failure.message).not.toContain(carol.accessToken);
    });
  });

  describe('findPublished', () => {
    it('finds a post that landed although its answer was lost', async () => {
      const since = new Date();
      emulator.failNext({ route: 'publish', delayMs: TIMEOUT_MS * 3, afterRecord: true });

      const failure = await failureOf(provider, provider.publish(alice, text('Fish & chips <today>\nat noon')));
      expect(failure.kind).toBe('unknown');
      expect(emulator.posts).toHaveLength(1);

      expect(await provider.findPublished(alice, { text: 'Fish & chips <today>\r\nat noon' }, since)).toEqual({
        platformPostId: emulator.posts[0].id,
        url: emulator.posts[0].permalink,
      });
    });

    it('finds a lost thread part among the replies to its parent', async () => {
      const since = new Date();
      const first = await provider.publish(alice, text('root'));
      const elsewhere = await provider.publish(alice, text('another root'));
      await provider.publish(alice, text('same words', { root: elsewhere, parent: elsewhere }));
      emulator.failNext({ route: 'publish', delayMs: TIMEOUT_MS * 3, afterRecord: true });
      await failureOf(provider, provider.publish(alice, text('same words', { root: first, parent: first })));

      const found = await provider.findPublished(
        alice,
        { text: 'same words', replyTo: { root: first, parent: first } },
        since,
      );

      const lost = emulator.posts[3];
      expect(lost.replyToId).toBe(first.platformPostId);
      expect(found).toEqual({ platformPostId: lost.id, url: lost.permalink });
    });

    it('finds nothing never posted, posted by someone else, posted before `since`, or replying elsewhere', async () => {
      const since = new Date();
      const before = await provider.publish(alice, text('old news'));
      await provider.publish(bob, text('bob only'));
      const root = await provider.publish(alice, text('root'));
      await provider.publish(alice, text('a reply', { root, parent: root }));

      expect(await provider.findPublished(alice, { text: 'never posted' }, since)).toBeNull();
      expect(await provider.findPublished(alice, { text: 'bob only' }, since)).toBeNull();
      const later = new Date(Date.now() + 5 * 60_000);
      expect(await provider.findPublished(alice, { text: 'old news' }, later)).toBeNull();
      expect(await provider.findPublished(alice, { text: 'a reply' }, since)).toBeNull();
      expect(
        await provider.findPublished(alice, { text: 'a reply', replyTo: { root: before, parent: before } }, since),
      ).toBeNull();
      expect(await provider.findPublished(alice, { text: 'root' }, since)).toMatchObject({
        platformPostId: root.platformPostId,
      });
    });

    it('pages through the profile’s posts', async () => {
      const since = new Date();
      const published: PublishedPost[] = [];
      for (let i = 0; i < 3; i += 1) published.push(await provider.publish(alice, text(`post ${i}`)));
      for (let i = 0; i < 120; i += 1) await provider.publish(alice, text(`filler ${i}`));

      expect(await provider.findPublished(alice, { text: 'post 1' }, since)).toEqual(published[1]);
      expect(routes().filter((route) => route === 'userThreads')).toHaveLength(2);
    }, 60_000);
  });
});
