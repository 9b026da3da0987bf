import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../kit/emulator-clock.js';
import { startXEmulator, type XEmulator } from './x-emulator.js';

/** The emulator's wire behaviour that Herald's provider does not reach on its own. */

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 7)]);
const CALLBACK = 'https://herald.example/callback';

describe('X emulator wire protocol', () => {
  let emulator: XEmulator;
  const clock = new ManualClock();
  const alice = 'alice-token';
  const bob = 'bob-token';

  beforeAll(async () => {
    emulator = await startXEmulator({ mediaLifetimeSeconds: 3, tokenLifetimeSeconds: 3, clock });
  });
  beforeEach(() => emulator.reset());
  afterAll(async () => {
    await emulator.close();
  });

  async function call(method: string, path: string, token: string | undefined, body?: unknown) {
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined || body instanceof FormData ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any, headers: response.headers };
  }

  /** Uploads `bytes` as `token`'s image; resolves its media id. */
  async function upload(token: string, bytes = PNG): Promise<string> {
    const init = await call('POST', '/2/media/upload/initialize', token, {
      media_type: 'image/png',
      total_bytes: bytes.length,
      media_category: 'tweet_image',
    });
    expect(init.status).toBe(200);
    const id = init.body.data.id as string;
    const form = new FormData();
    form.append('segment_index', '0');
    form.append('media', new Blob([bytes], { type: 'application/octet-stream' }));
    expect((await call('POST', `/2/media/upload/${id}/append`, token, form)).status).toBe(200);
    expect((await call('POST', `/2/media/upload/${id}/finalize`, token)).status).toBe(200);
    return id;
  }

  describe('media', () => {
    it('answers initialize with an id, a media key and the expiry, and STATUS once finished', async () => {
      const id = await upload(alice);

      expect(id).toMatch(/^\d{15,19}$/);
      const status = await call('GET', `/2/media/upload?command=STATUS&media_id=${id}`, alice);
      expect(status.body.data).toMatchObject({
        id,
        media_key: `3_${id}`,
        size: PNG.length,
        processing_info: { state: 'succeeded', progress_percent: 100 },
      });
      expect(status.headers.get('x-rate-limit-limit')).toMatch(/^\d+$/);
    });

    it('refuses what X refuses at initialize: wrong type for the category, more than 5 MB', async () => {
      const video = await call('POST', '/2/media/upload/initialize', alice, {
        media_type: 'video/mp4',
        total_bytes: 100,
        media_category: 'tweet_image',
      });
      expect(video.status).toBe(400);
      expect(video.body).toMatchObject({
        title: 'Invalid Request',
        type: 'https://api.twitter.com/2/problems/invalid-request',
      });

      const huge = await call('POST', '/2/media/upload/initialize', alice, {
        media_type: 'image/png',
        total_bytes: 5 * 1024 * 1024 + 1,
        media_category: 'tweet_image',
      });
      expect(huge.body.errors).toEqual([{ message: 'File size exceeds 5242880 bytes.' }]);
    });

    it('refuses to finalize an upload whose chunks do not add up', async () => {
      const init = await call('POST', '/2/media/upload/initialize', alice, {
        media_type: 'image/png',
        total_bytes: PNG.length + 10,
        media_category: 'tweet_image',
      });
      const id = init.body.data.id as string;
      const form = new FormData();
      form.append('segment_index', '0');
      form.append('media', new Blob([PNG]));
      await call('POST', `/2/media/upload/${id}/append`, alice, form);

      const finalize = await call('POST', `/2/media/upload/${id}/finalize`, alice);
      expect(finalize.status).toBe(400);
      expect(finalize.body.errors).toEqual([{ message: 'Segments do not add up to provided total file size.' }]);
    });

    it('keeps alt text up to 1000 characters', async () => {
      const id = await upload(alice);
      const ok = await call('POST', '/2/media/metadata', alice, { id, metadata: { alt_text: { text: 'A cat' } } });
      expect(ok.body).toEqual({ data: { id, associated_metadata: { alt_text: { text: 'A cat' } } } });

      const long = await call('POST', '/2/media/metadata', alice, {
        id,
        metadata: { alt_text: { text: 'a'.repeat(1001) } },
      });
      expect(long.status).toBe(400);
    });

    it('refuses media ids of another user, unknown, or more than 4', async () => {
      const bobs = await upload(bob);

      const foreign = await call('POST', '/2/tweets', alice, { text: 'stolen', media: { media_ids: [bobs] } });
      expect(foreign.status).toBe(400);
      expect(foreign.body.errors).toEqual([
        { parameters: { 'media.media_ids': [bobs] }, message: 'Your media IDs are invalid.' },
      ]);
      expect(
        (await call('POST', '/2/media/metadata', alice, { id: bobs, metadata: { alt_text: { text: 'x' } } })).status,
      ).toBe(400);

      const ids = await Promise.all([1, 2, 3, 4, 5].map(() => upload(alice)));
      expect((await call('POST', '/2/tweets', alice, { text: 'five', media: { media_ids: ids } })).status).toBe(400);
      expect(
        (await call('POST', '/2/tweets', alice, { text: 'four', media: { media_ids: ids.slice(1) } })).status,
      ).toBe(201);
      expect(emulator.tweets).toHaveLength(1);
    });

    it('lets media expire', async () => {
      const id = await upload(alice);
      clock.advance(3000);

      const late = await call('POST', '/2/tweets', alice, { text: 'too late', media: { media_ids: [id] } });
      expect(late.status).toBe(400);
      expect(late.body.errors[0].message).toBe('Your media IDs are invalid.');
    });
  });

  describe('timeline', () => {
    it('returns optional fields only when asked, as X does', async () => {
      const root = await call('POST', '/2/tweets', alice, { text: 'root' });
      const id = await upload(alice);
      await call('POST', '/2/tweets', alice, {
        text: 'reply with photo',
        media: { media_ids: [id] },
        reply: { in_reply_to_tweet_id: root.body.data.id },
      });
      const userId = emulator.userFor(alice).id;

      const plain = await call('GET', `/2/users/${userId}/tweets?max_results=5`, alice);
      expect(Object.keys(plain.body.data[0]).sort()).toEqual(['edit_history_tweet_ids', 'id', 'text']);
      expect(plain.body.data[0].text).toMatch(/^reply with photo https:\/\/t\.co\/\w+$/);

      const fields = 'referenced_tweets,in_reply_to_user_id,attachments,conversation_id';
      const rich = await call('GET', `/2/users/${userId}/tweets?max_results=5&tweet.fields=${fields}`, alice);
      expect(rich.body.data[0]).toMatchObject({
        referenced_tweets: [{ type: 'replied_to', id: root.body.data.id }],
        in_reply_to_user_id: userId,
        attachments: { media_keys: [`3_${id}`] },
        conversation_id: root.body.data.id,
      });
      expect(rich.body.data[1]).not.toHaveProperty('referenced_tweets');

      const bad = await call('GET', `/2/users/${userId}/tweets?max_results=5&tweet.fields=nonsense`, alice);
      expect(bad.status).toBe(400);
    });
  });

  describe('OAuth 2.0', () => {
    const verifier = 'a-verifier-that-is-long-enough-to-be-a-real-pkce-code-verifier';
    const s256 = createHash('sha256').update(verifier).digest('base64url');

    function authorizeUrl(params: Record<string, string>): string {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: emulator.oauthClient.clientId,
        redirect_uri: CALLBACK,
        scope: 'tweet.read users.read offline.access',
        state: 'st',
        code_challenge: s256,
        code_challenge_method: 'S256',
        ...params,
      });
      return `${emulator.url}/i/oauth2/authorize?${query.toString()}`;
    }

    async function token(form: Record<string, string>, basic = true) {
      const { clientId, clientSecret } = emulator.oauthClient;
      const response = await fetch(`${emulator.url}/2/oauth2/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(basic ? { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` } : {}),
        },
        body: new URLSearchParams(form),
      });
      return { status: response.status, body: (await response.json()) as any };
    }

    async function codeFor(params: Record<string, string> = {}): Promise<string> {
      const response = await fetch(authorizeUrl(params), { redirect: 'manual' });
      return new URL(response.headers.get('location')!).searchParams.get('code')!;
    }

    it('shows an error page for an unknown app, and sends other errors back to the app', async () => {
      const unknown = await fetch(authorizeUrl({ client_id: 'nobody' }), { redirect: 'manual' });
      expect(unknown.status).toBe(400);
      expect(unknown.headers.get('content-type')).toMatch(/^text\/html/);

      const noChallenge = await fetch(authorizeUrl({ code_challenge: '' }), { redirect: 'manual' });
      expect(noChallenge.status).toBe(302);
      const back = new URL(noChallenge.headers.get('location')!);
      expect(Object.fromEntries(back.searchParams)).toMatchObject({ error: 'invalid_request', state: 'st' });
      expect(back.searchParams.has('code')).toBe(false);
    });

    it('authenticates a confidential client with HTTP Basic only', async () => {
      const code = await codeFor();
      const form = { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier };

      const anonymous = await token({ ...form, client_id: emulator.oauthClient.clientId }, false);
      expect(anonymous).toEqual({
        status: 401,
        body: { error: 'unauthorized_client', error_description: 'Missing valid authorization header' },
      });
    });

    it('issues tokens once per code, checks PKCE and the redirect URI, and rotates refresh tokens', async () => {
      const wrongRedirect = await token({
        grant_type: 'authorization_code',
        code: await codeFor(),
        redirect_uri: 'https://elsewhere.example/',
        code_verifier: verifier,
      });
      expect(wrongRedirect.status).toBe(400);

      const plainCode = await codeFor({ code_challenge: verifier, code_challenge_method: 'plain' });
      const issued = await token({
        grant_type: 'authorization_code',
        code: plainCode,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      });
      expect(issued).toEqual({
        status: 200,
        body: {
          token_type: 'bearer',
          expires_in: 3,
          access_token: expect.any(String),
          refresh_token: expect.any(String),
          scope: 'tweet.read users.read offline.access',
        },
      });
      const user = emulator.userFor(issued.body.access_token);
      expect((await call('GET', '/2/users/me', issued.body.access_token)).body).toEqual({ data: user });

      const refreshed = await token({ grant_type: 'refresh_token', refresh_token: issued.body.refresh_token });
      expect(refreshed.status).toBe(200);
      const reused = await token({ grant_type: 'refresh_token', refresh_token: issued.body.refresh_token });
      expect(reused).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' },
      });
      expect(emulator.userFor(refreshed.body.access_token)).toEqual(user);
    });

    it('lets access tokens expire, and ends the whole grant on revocation', async () => {
      const issued = emulator.mintTokens();
      clock.advance(2999);
      expect((await call('GET', '/2/users/me', issued.accessToken)).status).toBe(200);
      clock.advance(1);
      expect((await call('GET', '/2/users/me', issued.accessToken)).status).toBe(401);

      const renewed = await token({ grant_type: 'refresh_token', refresh_token: issued.refreshToken! });
      expect(renewed.status).toBe(200);
      emulator.revokeToken(renewed.body.access_token);
      expect((await call('GET', '/2/users/me', renewed.body.access_token)).status).toBe(401);
      expect((await token({ grant_type: 'refresh_token', refresh_token: renewed.body.refresh_token })).status).toBe(
        400,
      );
    });

    it('takes only form bodies', async () => {
      const response = await fetch(`${emulator.url}/2/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'x' }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    });
  });
});
