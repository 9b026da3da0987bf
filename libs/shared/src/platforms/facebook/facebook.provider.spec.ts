import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { jpegBytes, startMediaServer, type MediaServer } from '../../../../../emulators/meta-graph/media-server.js';
import {
  type EmulatedPageAccess,
  type MetaGraphEmulator,
  startMetaGraphEmulator,
} from '../../../../../emulators/meta-graph/meta-graph-emulator.js';
import { graphErrorBody, rateLimitBody, usageHeaders } from '../../../../../emulators/meta-graph/graph-wire.js';
import { AppConfig } from '../../config/app-config.js';
import { loadEnvironment } from '../../config/environment.js';
import { DomainError } from '../../errors/domain-error.js';
import { checkContent } from '../content-rules.js';
import type { PublishFailure, PublishRequest } from '../platform-provider.js';
import { FacebookProvider, type FacebookCredentials } from './facebook.provider.js';

const TIMEOUT_MS = 2000;

function configFor(graphUrl: string, app = { id: '', secret: '' }, leaseSeconds = 10): AppConfig {
  return new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      ADMIN_TOKEN: 'x'.repeat(20),
      FACEBOOK_API_BASE_URL: graphUrl,
      FACEBOOK_OAUTH_BASE_URL: graphUrl,
      FACEBOOK_APP_ID: app.id,
      FACEBOOK_APP_SECRET: app.secret,
      PLATFORM_TIMEOUT_MS: String(TIMEOUT_MS),
      PUBLISH_LEASE_SECONDS: String(leaseSeconds),
    }),
  );
}

/** Runs `promise`, expects it to fail, and returns how the provider classifies the failure. */
async function failureOf(provider: FacebookProvider, promise: Promise<unknown>): Promise<PublishFailure> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeDefined();
  return provider.classifyError(outcome);
}

const post = (text: string, media: PublishRequest['media'] = []): PublishRequest => ({
  text,
  media,
  idempotencyKey: 'target-1:0',
});

describe('FacebookProvider against the Meta Graph emulator', () => {
  let emulator: MetaGraphEmulator;
  let media: MediaServer;
  let provider: FacebookProvider;
  let page: EmulatedPageAccess;
  let credentials: FacebookCredentials;

  beforeAll(async () => {
    emulator = await startMetaGraphEmulator();
    media = await startMediaServer();
    provider = new FacebookProvider(configFor(emulator.url, emulator.app));
    page = emulator.createPage({ name: 'Herald Bakery' });
    credentials = { pageId: page.pageId, accessToken: page.accessToken };
  });
  beforeEach(() => emulator.reset());
  afterAll(async () => {
    await emulator.close();
    await media.close();
  });

  it('declares what Graph lets Herald do to make a retry safe, and no threads', () => {
    expect(provider.capabilities).toEqual({ findPublished: true, idempotencyKeys: false });
    expect('renewal' in provider).toBe(false);
    expect(provider.rules.maxThreadLength).toBe(1);
  });

  it('publishes a text post to the Page feed, authenticated by header', async () => {
    const published = await provider.publish(credentials, post('Fresh bread at 7'));

    expect(emulator.facebookPosts).toHaveLength(1);
    const [stored] = emulator.facebookPosts;
    expect(stored).toMatchObject({ pageId: page.pageId, message: 'Fresh bread at 7', photos: [] });
    expect(stored.id).toMatch(new RegExp(`^${page.pageId}_\\d+$`));
    expect(published).toEqual({ platformPostId: stored.id, url: `https://www.facebook.com/${stored.id}` });
    expect(emulator.requests.map((r) => [r.method, r.path, r.status, r.bearer])).toEqual([
      ['POST', `/v25.0/${page.pageId}/feed`, 200, page.accessToken],
    ]);
  });

  it('uploads one photo as multipart bytes, published with its caption and alt text', async () => {
    const image = media.image({ altText: 'Six sourdough loaves on a rack' });

    const published = await provider.publish(credentials, post('Sourdough day', [image]));

    const [stored] = emulator.facebookPosts;
    expect(stored.message).toBe('Sourdough day');
    expect(stored.photos).toHaveLength(1);
    expect(stored.photos[0]).toMatchObject({
      altText: 'Six sourdough loaves on a rack',
      caption: 'Sourdough day',
      published: true,
      uploadedAs: 'source',
    });
    expect(stored.photos[0].bytes.equals(await image.read())).toBe(true);
    expect(published.platformPostId).toBe(stored.id);
    expect(emulator.requests.map((r) => r.path)).toEqual([`/v25.0/${page.pageId}/photos`]);
  });

  it('posts a photo without a caption when the text is empty', async () => {
    await provider.publish(credentials, post('', [media.image()]));

    expect(emulator.facebookPosts[0]).toMatchObject({ message: '', photos: [{ caption: '', altText: '' }] });
  });

  it('publishes several photos as unpublished uploads attached to one feed post', async () => {
    const first = media.image({ altText: 'Croissants' });
    const second = media.image({ bytes: jpegBytes(4096), altText: null });
    const third = media.image({ altText: 'Baguettes' });

    const published = await provider.publish(credentials, post('This morning', [first, second, third]));

    expect(emulator.facebookPosts).toHaveLength(1);
    const [stored] = emulator.facebookPosts;
    expect(published.platformPostId).toBe(stored.id);
    expect(stored.message).toBe('This morning');
    expect(stored.photos.map((photo) => [photo.altText, photo.bytes.length, photo.caption])).toEqual([
      ['Croissants', first.sizeBytes, ''],
      ['', 4096, ''],
      ['Baguettes', third.sizeBytes, ''],
    ]);
    expect(emulator.requests.map((r) => r.path)).toEqual([
      `/v25.0/${page.pageId}/photos`,
      `/v25.0/${page.pageId}/photos`,
      `/v25.0/${page.pageId}/photos`,
      `/v25.0/${page.pageId}/feed`,
    ]);
  });

  it('reports a failed upload before the post exists as retryable, and publishes nothing', async () => {
    emulator.failNext({ status: 500, route: 'pagePost' });

    const failure = await failureOf(
      provider,
      provider.publish(credentials, post('Two photos', [media.image(), media.image()])),
    );

    expect(failure).toEqual({
      kind: 'retryable',
      statusCode: 500,
      message: 'Uploading photo 1 of 2 failed: Facebook server error (500): An unknown error has occurred.',
    });
    expect(emulator.facebookPosts).toHaveLength(0);
  });

  it('stops before the feed post when the uploads leave too little of the publish lease, as retryable', async () => {
    // A 4 s lease with 2 s timeouts leaves 1 s for uploads: the feed post must be able to run its whole timeout.
    const shortLease = new FacebookProvider(configFor(emulator.url, emulator.app, 4));
    emulator.failNext({ delayMs: 1200, route: 'pagePost' });

    const failure = await failureOf(
      shortLease,
      shortLease.publish(credentials, post('Slow', [media.image(), media.image()])),
    );

    expect(failure).toEqual({
      kind: 'retryable',
      message: 'Facebook: Preparing the media took too long to create the post safely within the publish lease',
    });
    expect(emulator.facebookPosts).toHaveLength(0);
    expect(emulator.requests.filter((r) => r.path.endsWith('/feed'))).toHaveLength(0);
  });

  it('verifies a Page token, naming the Page', async () => {
    expect(await provider.verifyCredentials(credentials)).toEqual({
      externalId: page.pageId,
      displayName: 'Herald Bakery',
    });
    expect(emulator.requests.map((r) => [r.path, r.bearer])).toEqual([['/v25.0/me', page.accessToken]]);
  });

  it('rejects the token of another Page as the credentials of this one', async () => {
    const other = emulator.createPage({ name: 'Another Page' });

    const failure = await failureOf(
      provider,
      provider.verifyCredentials({ pageId: page.pageId, accessToken: other.accessToken }),
    );

    expect(failure).toEqual({
      kind: 'permanent',
      credentialsRejected: true,
      message: `Facebook: the access token is not a Page access token of Page ${page.pageId} (it acts as ${other.pageId})`,
    });
  });

  it('reports a revoked token (code 190) as rejected credentials, without the token in the message', async () => {
    const revoked = emulator.createPage();
    emulator.revokeToken(revoked.accessToken);

    const failure = await failureOf(
      provider,
      provider.verifyCredentials({ pageId: revoked.pageId, accessToken: revoked.accessToken }),
    );

    expect(failure).toMatchObject({ kind: 'permanent', statusCode: 400, credentialsRejected: true });
    expect(failure.message).toMatch(/^Facebook rejected the credentials \(400\): Error validating access token/);
    expect(failure.message).not.toContain(revoked.accessToken);
  });

  it('reports a missing permission (code 200) as rejected credentials: only reconnecting grants it', async () => {
    emulator.failNext({ status: 403, body: graphErrorBody({ message: '(#200) Permissions error', code: 200 }) });

    const failure = await failureOf(provider, provider.publish(credentials, post('Not allowed')));

    expect(failure).toMatchObject({ kind: 'permanent', statusCode: 403, credentialsRejected: true });
  });

  it('reports Graph’s own rate-limit answer (code 32 with 403) as rate limited', async () => {
    emulator.failNext({ status: 403, body: rateLimitBody(32), headers: usageHeaders(5 * 60, page.pageId) });

    const failure = await failureOf(provider, provider.publish(credentials, post('Page limit')));

    expect(failure).toMatchObject({ kind: 'retryable', statusCode: 403, rateLimited: true, retryAfterMs: 300_000 });
    expect(failure.message).toBe('Facebook rate limit reached (403): (#32) Page request limit reached');
  });

  it('reports Graph’s transient code 2 sent with 400 as unknown, like a 5xx', async () => {
    emulator.failNext({
      status: 400,
      body: graphErrorBody({ message: 'Service temporarily unavailable', code: 2, transient: true }),
    });
    expect(await failureOf(provider, provider.publish(credentials, post('Down')))).toMatchObject({
      kind: 'unknown',
      statusCode: 400,
    });
    expect(emulator.facebookPosts).toHaveLength(0);
  });

  it('reports a message Graph refuses as permanent, quoting Graph', async () => {
    const failure = await failureOf(provider, provider.publish(credentials, post('x'.repeat(63_207))));

    expect(failure).toEqual({
      kind: 'permanent',
      statusCode: 400,
      message: 'Facebook rejected the request (400): (#100) Param message must be at most 63206 characters long',
    });
    expect(checkContent(provider.rules, { text: 'x'.repeat(63_207), media: [], thread: [] })).toEqual([
      { field: 'text', message: 'is 63207 characters; Facebook allows at most 63206' },
    ]);
  });

  it('reports a duplicate status message (code 506) as a duplicate', async () => {
    await provider.publish(credentials, post('Same words twice'));

    const failure = await failureOf(provider, provider.publish(credentials, post('Same words twice')));

    expect(failure).toEqual({
      kind: 'permanent',
      statusCode: 400,
      duplicate: true,
      message: 'Facebook rejected the request (400): (#506) Duplicate status message',
    });
    expect(emulator.facebookPosts).toHaveLength(1);
  });

  it('finds a post that landed although its response was lost', async () => {
    const since = new Date();
    emulator.failNext({ delayMs: TIMEOUT_MS * 3, afterRecord: true, route: 'pagePost' });

    const failure = await failureOf(provider, provider.publish(credentials, post('Opening hours:\nMon–Fri 7–18')));
    expect(failure.kind).toBe('unknown');
    expect(emulator.facebookPosts).toHaveLength(1);

    const found = await provider.findPublished(credentials, { text: 'Opening hours:\r\nMon–Fri 7–18 ' }, since);
    expect(found).toEqual({
      platformPostId: emulator.facebookPosts[0].id,
      url: `https://www.facebook.com/${emulator.facebookPosts[0].id}`,
    });
  });

  it('finds nothing for text never posted, posted on another Page, or before `since`', async () => {
    const since = new Date();
    const other = emulator.createPage();
    await provider.publish(credentials, post('Ours'));
    await provider.publish({ pageId: other.pageId, accessToken: other.accessToken }, post('Theirs'));

    expect(await provider.findPublished(credentials, { text: 'Never posted' }, since)).toBeNull();
    expect(await provider.findPublished(credentials, { text: 'Theirs' }, since)).toBeNull();
    expect(await provider.findPublished(credentials, { text: 'Ours' }, new Date(Date.now() + 5 * 60_000))).toBeNull();
    expect(await provider.findPublished(credentials, { text: 'Ours' }, since)).toMatchObject({
      platformPostId: emulator.facebookPosts[0].id,
    });
  });

  it('accepts only { pageId, accessToken } as credentials', () => {
    expect(provider.parseCredentials({ pageId: ' 1234 ', accessToken: ' EAAtoken ' })).toEqual({
      pageId: '1234',
      accessToken: 'EAAtoken',
    });
    const problems = (input: unknown) => {
      try {
        provider.parseCredentials(input);
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        return (error as DomainError).details?.map((detail) => detail.field);
      }
    };
    expect(problems(undefined)).toEqual(['credentials.pageId', 'credentials.accessToken']);
    expect(problems({ pageId: 'bakery', accessToken: 'EAA' })).toEqual(['credentials.pageId']);
    expect(problems({ pageId: '1', accessToken: 'two words' })).toEqual(['credentials.accessToken']);
    expect(problems({ pageId: '1', accessToken: 'EAA', expiresAt: 'soon' })).toEqual(['credentials.expiresAt']);
  });

  describe('connecting Pages through Facebook Login', () => {
    const redirectUri = 'https://herald.example/v1/connect/facebook/callback';
    const codeVerifier = randomBytes(32).toString('base64url');
    const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');

    /** Follows the authorize URL like a browser whose user approves, and returns the code Facebook sends back. */
    async function approve(url: string): Promise<URL> {
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(302);
      return new URL(response.headers.get('location')!);
    }

    it('names the missing app settings', () => {
      const unconfigured = new FacebookProvider(configFor(emulator.url));
      expect(unconfigured.oauth.missingSettings()).toEqual(['FACEBOOK_APP_ID', 'FACEBOOK_APP_SECRET']);
      expect(provider.oauth.missingSettings()).toEqual([]);
    });

    it('builds the Facebook Login dialog URL with PKCE and the Pages permissions', () => {
      const url = new URL(provider.oauth.authorizeUrl({ redirectUri, state: 'state-1', codeChallenge }));

      expect(`${url.origin}${url.pathname}`).toBe(`${emulator.url}/v25.0/dialog/oauth`);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        client_id: emulator.app.id,
        redirect_uri: redirectUri,
        state: 'state-1',
        scope: 'pages_show_list,pages_manage_posts,pages_read_engagement',
        response_type: 'code',
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      });
    });

    it('exchanges the code for one account per Page, whose Page token publishes', async () => {
      const callback = await approve(provider.oauth.authorizeUrl({ redirectUri, state: 'state-2', codeChallenge }));
      expect(callback.searchParams.get('state')).toBe('state-2');

      const accounts = await provider.oauth.exchangeCode({
        code: callback.searchParams.get('code')!,
        redirectUri,
        codeVerifier,
      });

      const bakery = accounts.find((account) => account.identity.externalId === page.pageId);
      expect(bakery?.identity).toEqual({ externalId: page.pageId, displayName: 'Herald Bakery' });
      expect(bakery?.credentials.pageId).toBe(page.pageId);
      expect(accounts.length).toBeGreaterThanOrEqual(1);
      expect(emulator.requests.filter((r) => r.route === 'accessToken')).toHaveLength(2);

      await provider.publish(provider.parseCredentials(bakery!.credentials), post('Connected through Facebook Login'));
      expect(emulator.facebookPosts.map((p) => [p.pageId, p.message])).toEqual([
        [page.pageId, 'Connected through Facebook Login'],
      ]);
    });

    it('fails the exchange when the code verifier does not match the challenge', async () => {
      const callback = await approve(provider.oauth.authorizeUrl({ redirectUri, state: 'state-3', codeChallenge }));

      const failure = await failureOf(
        provider,
        provider.oauth.exchangeCode({ code: callback.searchParams.get('code')!, redirectUri, codeVerifier: 'wrong' }),
      );

      expect(failure).toMatchObject({ kind: 'permanent', statusCode: 400 });
      expect(failure.message).toMatch(/Invalid code_verifier/);
    });
  });
});
