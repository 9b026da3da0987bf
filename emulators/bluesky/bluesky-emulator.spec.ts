import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../kit/emulator-clock.js';
import { type BlueskyEmulator, type EmulatedAccount, startBlueskyEmulator } from './bluesky-emulator.js';

/** What the emulated PDS does on its own, spoken to over plain HTTP (the provider spec drives the rest). */
describe('Bluesky emulator', () => {
  const clock = new ManualClock();
  let emulator: BlueskyEmulator;
  let account: EmulatedAccount;

  const call = async (
    nsid: string,
    options: { bearer?: string; json?: unknown; query?: Record<string, string>; bytes?: Buffer; type?: string } = {},
  ) => {
    const url = new URL(`/xrpc/${nsid}`, emulator.url);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    const post = options.json !== undefined || options.bytes !== undefined || nsid.includes('Session');
    const response = await fetch(url, {
      method: post && nsid !== 'com.atproto.server.getSession' ? 'POST' : 'GET',
      headers: {
        ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
        ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.type ? { 'content-type': options.type } : {}),
      },
      body: options.json !== undefined ? JSON.stringify(options.json) : options.bytes,
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };

  const signIn = async (who = account) =>
    (await call('com.atproto.server.createSession', { json: { identifier: who.handle, password: who.appPassword } }))
      .body as { accessJwt: string; refreshJwt: string };

  const createPost = (accessJwt: string, record: Record<string, unknown>) =>
    call('com.atproto.repo.createRecord', {
      bearer: accessJwt,
      json: {
        repo: account.did,
        collection: 'app.bsky.feed.post',
        record: { $type: 'app.bsky.feed.post', createdAt: new Date().toISOString(), ...record },
      },
    });

  beforeAll(async () => {
    emulator = await startBlueskyEmulator({ clock });
  });
  beforeEach(() => {
    emulator.reset();
    account = emulator.createAccount();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('allows 30 sign-ins per identifier in 5 minutes, with the PDS’s ratelimit headers', async () => {
    for (let index = 0; index < 30; index += 1) await signIn();

    const refused = await call('com.atproto.server.createSession', {
      json: { identifier: account.handle, password: account.appPassword },
    });

    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' });
    expect(refused.headers.get('ratelimit-policy')).toBe('30;w=300');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    const resetsIn = Number(refused.headers.get('ratelimit-reset')) - clock.now() / 1000;
    expect(resetsIn).toBeGreaterThan(299);
    expect(resetsIn).toBeLessThan(301);
  });

  it('answers a missing, an expired and a spent token as a PDS does', async () => {
    const first = await signIn();

    expect((await call('com.atproto.server.getSession')).body).toEqual({
      error: 'AuthMissing',
      message: 'Authentication Required',
    });
    const rotated = await call('com.atproto.server.refreshSession', { bearer: first.refreshJwt });
    expect(rotated.status).toBe(200);
    const spent = await call('com.atproto.server.refreshSession', { bearer: first.refreshJwt });
    expect([spent.status, spent.body]).toEqual([400, { error: 'ExpiredToken', message: 'Token has been revoked' }]);
    const wrongKind = await call('com.atproto.server.getSession', { bearer: first.refreshJwt });
    expect([wrongKind.status, wrongKind.body.error]).toEqual([400, 'InvalidToken']);

    clock.advance(2 * 60 * 60 * 1000); // access tokens last two hours
    const expired = await call('com.atproto.server.getSession', { bearer: rotated.body.accessJwt });
    expect([expired.status, expired.body]).toEqual([400, { error: 'ExpiredToken', message: 'Token has expired' }]);
  });

  it('refuses facets outside the text and mentions without a DID', async () => {
    const { accessJwt } = await signIn();
    const facet = (byteStart: number, byteEnd: number, feature: object) => ({
      index: { byteStart, byteEnd },
      features: [feature],
    });
    const link = { $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com' };

    const outside = await createPost(accessJwt, { text: 'café', facets: [facet(0, 6, link)] });
    const mention = await createPost(accessJwt, {
      text: '@alice.test',
      facets: [facet(0, 11, { $type: 'app.bsky.richtext.facet#mention', did: '' })],
    });

    expect([outside.status, outside.body.message]).toEqual([
      400,
      'Invalid app.bsky.feed.post record: Record/facets/0/index must be a byte range within the text (5 bytes)',
    ]);
    expect([mention.status, mention.body.message]).toEqual([
      400,
      'Invalid app.bsky.feed.post record: Record/facets/0/features/0/did must be a valid did',
    ]);
    expect(emulator.posts).toHaveLength(0);
  });

  it('embeds only blobs the account uploaded, up to 2,000,000 bytes of image/*', async () => {
    const { accessJwt } = await signIn();
    const upload = async (bytes: Buffer, type: string) =>
      (await call('com.atproto.repo.uploadBlob', { bearer: accessJwt, bytes, type })).body.blob;
    const embed = (blobs: unknown[]) => ({
      text: '',
      embed: { $type: 'app.bsky.embed.images', images: blobs.map((image) => ({ image, alt: '' })) },
    });
    const small = await upload(Buffer.alloc(100, 1), 'image/png');
    const large = await upload(Buffer.alloc(2_500_000, 2), 'image/jpeg');
    const video = await upload(Buffer.alloc(100, 3), 'video/mp4');
    const elsewhere = { ...small, ref: { $link: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku' } };

    expect(small).toEqual({
      $type: 'blob',
      ref: { $link: expect.stringMatching(/^bafkrei[a-z2-7]{52}$/) },
      mimeType: 'image/png',
      size: 100,
    });
    const answers = await Promise.all(
      [[large], [video], [elsewhere], [small, small, small, small, small]].map(async (blobs) => {
        const { status, body } = await createPost(accessJwt, embed(blobs));
        return [status, body.error, body.message];
      }),
    );
    expect(answers).toEqual([
      [400, 'BlobTooLarge', 'This file is too large. It is 2.5 MB but the maximum size is 2 MB.'],
      [400, 'InvalidMimeType', 'Wrong type of file. It is video/mp4 but it must match image/*.'],
      [400, 'BlobNotFound', `Could not find blob: ${elsewhere.ref.$link}`],
      [
        400,
        'InvalidRequest',
        'Invalid app.bsky.feed.post record: Record/embed/images must not have more than 4 elements',
      ],
    ]);
    expect((await createPost(accessJwt, embed([small, small]))).status).toBe(200);
  });
});
