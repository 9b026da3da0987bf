import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type MastodonEmulator, startMastodonEmulator } from './mastodon-emulator.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

describe('Mastodon emulator wire behaviour', () => {
  let emulator: MastodonEmulator;
  let token: string;

  beforeAll(async () => {
    emulator = await startMastodonEmulator({ mediaProcessingMs: 60_000 });
    token = emulator.createAccount({ username: 'alice' }).token;
  });
  beforeEach(() => emulator.reset());
  afterAll(async () => {
    await emulator.close();
  });

  const call = async (
    method: string,
    path: string,
    options: { body?: unknown; as?: string; headers?: object } = {},
  ) => {
    const form = options.body instanceof FormData;
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      headers: {
        ...(options.as === '' ? {} : { authorization: `Bearer ${options.as ?? token}` }),
        ...(options.body === undefined || form ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: form ? (options.body as FormData) : options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };
  const upload = (data: Buffer, description?: string) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(data)]), 'upload.bin');
    if (description !== undefined) form.append('description', description);
    return call('POST', '/api/v2/media', { body: form });
  };
  const postStatus = (body: object, headers: object = {}) => call('POST', '/api/v1/statuses', { body, headers });

  it('answers a missing, unknown or revoked token with 401 and Mastodon’s error body', async () => {
    expect(await call('GET', '/api/v1/accounts/verify_credentials', { as: '' })).toMatchObject({
      status: 401,
      body: { error: 'The access token is invalid' },
    });
    expect((await call('GET', '/api/v1/accounts/verify_credentials', { as: 'nope' })).status).toBe(401);
    const revoked = emulator.createAccount().token;
    emulator.revokeToken(revoked);
    expect(await call('GET', '/api/v1/accounts/verify_credentials', { as: revoked })).toMatchObject({
      status: 401,
      body: { error: 'The access token was revoked' },
    });
  });

  it('refuses uploads Mastodon refuses', async () => {
    expect(await upload(Buffer.from('plain text, not an image'))).toMatchObject({
      status: 422,
      body: { error: 'Validation failed: File content type is invalid, File is invalid' },
    });
    expect(await upload(PNG, 'x'.repeat(1501))).toMatchObject({
      status: 422,
      body: { error: 'Validation failed: Description is too long (maximum is 1500 characters)' },
    });
    const sixteenMegabytes = Buffer.concat([PNG, Buffer.alloc(16 * 1024 * 1024 - PNG.length)]);
    expect(await upload(sixteenMegabytes)).toMatchObject({
      status: 422,
      body: { error: 'Validation failed: File file size must be less than 16 MB' },
    });
  });

  it('processes still images at once and GIFs in the background', async () => {
    const still = await upload(PNG, 'a dot');
    expect(still).toMatchObject({ status: 200, body: { type: 'image', description: 'a dot' } });
    expect(still.body.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/system\/media_attachments\//);

    const gif = await upload(GIF);
    expect(gif).toMatchObject({ status: 202, body: { type: 'gifv', url: null } });
    expect((await call('GET', `/api/v1/media/${gif.body.id}`)).status).toBe(206);
    expect(await postStatus({ status: 'too soon', media_ids: [gif.body.id] })).toMatchObject({
      status: 422,
      body: { error: 'Cannot attach files that have not finished processing. Try again in a moment!' },
    });
  });

  it('refuses statuses Mastodon refuses', async () => {
    expect(await postStatus({ status: '   ' })).toMatchObject({
      status: 422,
      body: { error: "Validation failed: Text can't be blank" },
    });
    expect(await postStatus({ status: 'a'.repeat(501) })).toMatchObject({
      status: 422,
      body: { error: 'Validation failed: Text character limit of 500 exceeded' },
    });
    expect(await postStatus({ status: 'five', media_ids: ['1', '2', '3', '4', '5'] })).toMatchObject({
      status: 422,
      body: { error: 'Cannot attach more than 4 files' },
    });
    expect(await postStatus({ status: 'ghost', media_ids: ['123'] })).toMatchObject({
      status: 422,
      body: { error: 'Media 123 not found or already attached to another post' },
    });
    expect(await postStatus({ status: 'orphan', in_reply_to_id: '123' })).toMatchObject({
      status: 404,
      body: { error: 'The post you are trying to reply to does not appear to exist.' },
    });
    expect(emulator.statuses).toHaveLength(0);
  });

  it('counts length as Mastodon does: URLs as 23, remote mentions without their domain', async () => {
    const url = `https://example.com/${'long/'.repeat(100)}`;
    const text = `${'a'.repeat(400)} ${url} @bob@remote.example ${'b'.repeat(60)}`;
    expect((await postStatus({ status: text })).status).toBe(200);
    expect(emulator.statuses[0].content).toContain('@<span>bob</span>');
  });

  it('answers a repeated Idempotency-Key with the first status, per account', async () => {
    const first = await postStatus({ status: 'hello' }, { 'Idempotency-Key': 'k1' });
    const again = await postStatus({ status: 'hello, edited' }, { 'Idempotency-Key': 'k1' });
    expect(again).toMatchObject({ status: 200, body: { id: first.body.id, content: '<p>hello</p>' } });

    const other = emulator.createAccount().token;
    const theirs = await call('POST', '/api/v1/statuses', {
      as: other,
      body: { status: 'hello' },
      headers: { 'Idempotency-Key': 'k1' },
    });
    expect(theirs.body.id).not.toBe(first.body.id);
    expect(emulator.statuses).toHaveLength(2);
  });

  it('lists an account’s statuses newest first, 40 at most, with Link pagination', async () => {
    const me = (await call('GET', '/api/v1/accounts/verify_credentials')).body;
    for (let index = 0; index < 42; index += 1) await postStatus({ status: `status ${index}` });
    const root = emulator.statuses[0].id;
    await postStatus({ status: 'a reply to someone', in_reply_to_id: root });

    const page = await call('GET', `/api/v1/accounts/${me.id}/statuses?limit=100`, { as: '' });
    expect(page.body).toHaveLength(40);
    expect(page.body[0].content).toBe('<p>a reply to someone</p>');
    expect(page.headers.get('link')).toContain(`max_id=${page.body[39].id}>; rel="next"`);
    const next = await call('GET', `/api/v1/accounts/${me.id}/statuses?max_id=${page.body[39].id}`);
    expect(next.body.map((status: { content: string }) => status.content)).toEqual([
      '<p>status 2</p>',
      '<p>status 1</p>',
      '<p>status 0</p>',
    ]);
    expect((await call('GET', '/api/v1/accounts/1/statuses')).status).toBe(404);
  });

  it('sends X-RateLimit-* headers, with an ISO 8601 reset, on an injected 429', async () => {
    emulator.failNext({ route: 'createStatus', status: 429 });

    const limited = await postStatus({ status: 'hi' });

    expect(limited).toMatchObject({ status: 429, body: { error: 'Too many requests' } });
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Date.parse(limited.headers.get('x-ratelimit-reset') ?? '');
    expect(reset - Date.now()).toBeGreaterThan(50_000);
  });
});
