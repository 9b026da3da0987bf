import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { graphErrorBody } from '../../../../../emulators/meta-graph/graph-wire.js';
import { pngBytes, startMediaServer, type MediaServer } from '../../../../../emulators/meta-graph/media-server.js';
import {
  type EmulatedPageAccess,
  type MetaGraphEmulator,
  startMetaGraphEmulator,
} from '../../../../../emulators/meta-graph/meta-graph-emulator.js';
import { AppConfig } from '../../config/app-config.js';
import { loadEnvironment } from '../../config/environment.js';
import { DomainError } from '../../errors/domain-error.js';
import type { PublishFailure, PublishRequest } from '../platform-provider.js';
import { InstagramProvider, type InstagramCredentials } from './instagram.provider.js';

const TIMEOUT_MS = 2000;

function configFor(graphUrl: string, options: { app?: { id: string; secret: string }; leaseSeconds?: number } = {}) {
  return new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      ADMIN_TOKEN: 'x'.repeat(20),
      INSTAGRAM_API_BASE_URL: graphUrl,
      FACEBOOK_OAUTH_BASE_URL: graphUrl,
      FACEBOOK_APP_ID: options.app?.id ?? '',
      FACEBOOK_APP_SECRET: options.app?.secret ?? '',
      PLATFORM_TIMEOUT_MS: String(TIMEOUT_MS),
      PUBLISH_LEASE_SECONDS: String(options.leaseSeconds ?? 10),
    }),
  );
}

async function failureOf(provider: InstagramProvider, promise: Promise<unknown>): Promise<PublishFailure> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeDefined();
  return provider.classifyError(outcome);
}

const post = (text: string, media: PublishRequest['media']): PublishRequest => ({
  text,
  media,
  idempotencyKey: 'target-1:0',
});

describe('InstagramProvider against the Meta Graph emulator', () => {
  let emulator: MetaGraphEmulator;
  let media: MediaServer;
  let provider: InstagramProvider;
  let page: EmulatedPageAccess;
  let credentials: InstagramCredentials;

  beforeAll(async () => {
    emulator = await startMetaGraphEmulator();
    media = await startMediaServer();
    provider = new InstagramProvider(configFor(emulator.url, { app: emulator.app }));
    page = emulator.createPage({ name: 'Herald Bakery', instagramUsername: 'herald.bakery' });
    credentials = { instagramUserId: page.instagramUserId!, accessToken: page.accessToken };
  });
  beforeEach(() => emulator.reset());
  afterAll(async () => {
    await emulator.close();
    await media.close();
  });

  const publishCalls = () => emulator.requests.filter((r) => r.route === 'igPublish');

  it('declares what Graph lets Herald do to make a retry safe; an image is required', () => {
    expect(provider.capabilities).toEqual({ findPublished: true, idempotencyKeys: false });
    expect('renewal' in provider).toBe(false);
    expect(provider.rules).toMatchObject({ mediaRequired: true, mediaTypes: ['image/jpeg'], maxMedia: 10 });
  });

  it('publishes one image: container from its URL, status polled until FINISHED, then media_publish', async () => {
    const image = media.image({ altText: 'A rack of sourdough loaves' });

    const published = await provider.publish(credentials, post('Sourdough day #bread', [image]));

    expect(emulator.instagramMedia).toHaveLength(1);
    const [stored] = emulator.instagramMedia;
    expect(stored).toMatchObject({ accountId: credentials.instagramUserId, caption: 'Sourdough day #bread' });
    expect(stored.images).toHaveLength(1);
    expect(stored.images[0].altText).toBe('A rack of sourdough loaves');
    expect(stored.images[0].bytes.equals(await image.read())).toBe(true);
    expect(published).toEqual({ platformPostId: stored.id, url: stored.permalink });
    expect(stored.permalink).toMatch(/^https:\/\/www\.instagram\.com\/p\/[\w-]{11}\/$/);
    const ig = credentials.instagramUserId;
    expect(emulator.requests.map((r) => [r.method, r.route, r.bearer])).toEqual([
      ['POST', 'igCreateContainer', page.accessToken],
      ['GET', 'node', page.accessToken], // IN_PROGRESS
      ['GET', 'node', page.accessToken], // FINISHED
      ['POST', 'igPublish', page.accessToken],
      ['GET', 'node', page.accessToken], // permalink
    ]);
    expect(emulator.requests[0].path).toBe(`/v25.0/${ig}/media`);
  });

  it('publishes several images as a carousel, each item with its alt text, the caption on the carousel', async () => {
    const images = [media.image({ altText: 'Croissants' }), media.image(), media.image({ altText: 'Baguettes' })];

    const published = await provider.publish(credentials, post('Three kinds', images));

    const [stored] = emulator.instagramMedia;
    expect(published.platformPostId).toBe(stored.id);
    expect(stored.caption).toBe('Three kinds');
    expect(stored.images.map((item) => [item.altText, item.bytes.length])).toEqual(
      images.map((image) => [image.altText ?? '', image.sizeBytes]),
    );
    expect(emulator.requests.filter((r) => r.route === 'igCreateContainer')).toHaveLength(4);
  });

  it('reports an image Instagram cannot download as permanent, quoting Graph, and publishes nothing', async () => {
    const failure = await failureOf(provider, provider.publish(credentials, post('Gone', [media.missingImage()])));

    expect(failure).toEqual({
      kind: 'permanent',
      statusCode: 400,
      message: expect.stringMatching(
        /^Preparing the Instagram post failed: Instagram rejected the request \(400\): Media download has failed\. .* — The media could not be fetched from this URI: http:\/\/127\.0\.0\.1:\d+\/media\/media-\d+/,
      ),
    });
    expect(publishCalls()).toHaveLength(0);
  });

  it('reports an image that is not a JPEG as permanent', async () => {
    const image = media.image({ bytes: pngBytes(), mimeType: 'image/png' });

    const failure = await failureOf(provider, provider.publish(credentials, post('PNG', [image])));

    expect(failure).toMatchObject({ kind: 'permanent', statusCode: 400 });
    expect(failure.message).toContain('The image format is not supported.');
  });

  it.each(['ERROR', 'EXPIRED'] as const)('reports a container that ends %s as permanent', async (status) => {
    emulator.endNextContainerWith(status);

    const failure = await failureOf(provider, provider.publish(credentials, post('Broken', [media.image()])));

    expect(failure.kind).toBe('permanent');
    expect(failure.message).toMatch(
      new RegExp(`^Preparing the Instagram post failed: Instagram could not prepare the media \\(container ${status}`),
    );
    expect(publishCalls()).toHaveLength(0);
  });

  it('gives up on a container still in progress before the publish lease runs out, as retryable', async () => {
    const slow = await startMetaGraphEmulator({ containerProcessingReads: 1_000 });
    try {
      const access = slow.createPage();
      const shortLease = new InstagramProvider(configFor(slow.url, { leaseSeconds: 5 }));

      const failure = await failureOf(
        shortLease,
        shortLease.publish(
          { instagramUserId: access.instagramUserId!, accessToken: access.accessToken },
          post('Slow', [media.image()]),
        ),
      );

      expect(failure).toEqual({
        kind: 'retryable',
        message:
          'Preparing the Instagram post failed: Instagram was still processing the media (container IN_PROGRESS)',
      });
      expect(slow.requests.filter((r) => r.route === 'igPublish')).toHaveLength(0);
    } finally {
      await slow.close();
    }
  });

  it('verifies the account, naming it by handle', async () => {
    expect(await provider.verifyCredentials(credentials)).toEqual({
      externalId: credentials.instagramUserId,
      displayName: '@herald.bakery',
    });
  });

  it('refuses a token that may not act for the account, and a revoked token as rejected credentials', async () => {
    const stranger = emulator.createPage();
    const hidden = await failureOf(
      provider,
      provider.verifyCredentials({ instagramUserId: credentials.instagramUserId, accessToken: stranger.accessToken }),
    );
    expect(hidden).toMatchObject({ kind: 'permanent', statusCode: 400 });
    expect(hidden.message).toMatch(/Unsupported get request/);

    emulator.revokeToken(stranger.accessToken);
    const revoked = await failureOf(
      provider,
      provider.verifyCredentials({ instagramUserId: stranger.instagramUserId!, accessToken: stranger.accessToken }),
    );
    expect(revoked).toMatchObject({ kind: 'permanent', statusCode: 400, credentialsRejected: true });
    expect(revoked.message).not.toContain(stranger.accessToken);
  });

  it('reports the daily publishing limit (code 9, subcode 2207042) as rate limited', async () => {
    emulator.failNext({
      status: 400,
      route: 'igPublish',
      body: graphErrorBody({
        message: 'Application request limit reached',
        code: 9,
        subcode: 2207042,
        userMessage: 'You reached maximum number of posts that is allowed to be published by Content Publishing API.',
      }),
    });

    const failure = await failureOf(provider, provider.publish(credentials, post('Too many today', [media.image()])));

    expect(failure).toMatchObject({ kind: 'retryable', statusCode: 400, rateLimited: true });
  });

  it('reports the spam restriction (code 4, subcode 2207051) as permanent, not as a rate limit', async () => {
    emulator.failNext({
      status: 400,
      route: 'igPublish',
      body: graphErrorBody({
        message: 'We restrict certain activity to protect our community.',
        code: 4,
        subcode: 2207051,
      }),
    });

    const failure = await failureOf(provider, provider.publish(credentials, post('Spammy?', [media.image()])));

    expect(failure).toEqual({
      kind: 'permanent',
      statusCode: 400,
      message: 'Instagram rejected the request (400): We restrict certain activity to protect our community.',
    });
  });

  it('reports a 5xx before media_publish (a container) as retryable: only media_publish makes a post appear', async () => {
    emulator.failNext({ status: 500, route: 'igCreateContainer' });
    expect(await failureOf(provider, provider.publish(credentials, post('Not yet', [media.image()])))).toEqual({
      kind: 'retryable',
      statusCode: 500,
      message: 'Preparing the Instagram post failed: Instagram server error (500): An unknown error has occurred.',
    });
    expect(emulator.instagramMedia).toHaveLength(0);
  });

  it('finds a post whose media_publish answer was lost to a timeout', async () => {
    const since = new Date();
    emulator.failNext({ delayMs: TIMEOUT_MS * 3, afterRecord: true, route: 'igPublish' });

    const failure = await failureOf(provider, provider.publish(credentials, post('Lost answer', [media.image()])));
    expect(failure).toEqual({ kind: 'unknown', message: 'Could not reach Instagram: request timed out' });
    expect(emulator.instagramMedia).toHaveLength(1);

    expect(await provider.findPublished(credentials, { text: 'Lost answer' }, since)).toEqual({
      platformPostId: emulator.instagramMedia[0].id,
      url: emulator.instagramMedia[0].permalink,
    });
    expect(await provider.findPublished(credentials, { text: 'Other words' }, since)).toBeNull();
    expect(
      await provider.findPublished(credentials, { text: 'Lost answer' }, new Date(Date.now() + 5 * 60_000)),
    ).toBeNull();
  });

  it('counts hashtags and @-mentions the way Instagram limits them', () => {
    const tags = Array.from({ length: 31 }, (_, index) => `#tag${index}`).join(' ');
    expect(provider.extraContentProblems({ text: tags, media: [], thread: [] })).toEqual([
      'The caption has 31 hashtags; Instagram allows at most 30',
    ]);
  });

  it('accepts only { instagramUserId, accessToken } as credentials', () => {
    expect(provider.parseCredentials({ instagramUserId: '17841400000000001', accessToken: 'EAAtoken' })).toEqual({
      instagramUserId: '17841400000000001',
      accessToken: 'EAAtoken',
    });
    try {
      provider.parseCredentials({ pageId: '1', accessToken: 'EAA' });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).details?.map((detail) => detail.field)).toEqual([
        'credentials.instagramUserId',
        'credentials.pageId',
      ]);
    }
  });

  it('connects, through Facebook Login, the Instagram account of each Page that has one', async () => {
    const withoutInstagram = emulator.createPage({ name: 'No Instagram', instagramUsername: false });
    const redirectUri = 'https://herald.example/v1/connect/instagram/callback';
    const codeVerifier = randomBytes(32).toString('base64url');
    const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
    const authorize = new URL(provider.oauth.authorizeUrl({ redirectUri, state: 's', codeChallenge }));
    expect(authorize.searchParams.get('scope')).toBe(
      'pages_show_list,pages_read_engagement,instagram_basic,instagram_content_publish',
    );

    const response = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(response.headers.get('location')!).searchParams.get('code')!;
    const accounts = await provider.oauth.exchangeCode({ code, redirectUri, codeVerifier });

    const ids = accounts.map((account) => account.identity.externalId);
    expect(ids).toContain(credentials.instagramUserId);
    expect(ids).not.toContain(withoutInstagram.pageId);
    const bakery = accounts.find((account) => account.identity.externalId === credentials.instagramUserId)!;
    expect(bakery.identity.displayName).toBe('@herald.bakery');
    await provider.publish(bakery.credentials, post('Connected', [media.image()]));
    expect(emulator.instagramMedia.map((item) => item.caption)).toEqual(['Connected']);
  });
});
