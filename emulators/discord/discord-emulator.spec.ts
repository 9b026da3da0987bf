import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type DiscordEmulator, type DiscordWebhookAccount, startDiscordEmulator } from './discord-emulator.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('Discord emulator wire behaviour', () => {
  let emulator: DiscordEmulator;
  let webhook: DiscordWebhookAccount;

  beforeAll(async () => {
    emulator = await startDiscordEmulator();
  });
  beforeEach(() => {
    emulator.reset();
    webhook = emulator.createWebhook();
  });
  afterAll(async () => {
    await emulator.close();
  });

  const execute = async (body: object | FormData, query = '?wait=true', path = `${webhook.id}/${webhook.token}`) => {
    const form = body instanceof FormData;
    const response = await fetch(`${emulator.url}/api/v10/webhooks/${path}${query}`, {
      method: 'POST',
      headers: form ? {} : { 'content-type': 'application/json' },
      body: form ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  const multipart = (payload: string, files: Record<string, Buffer>) => {
    const form = new FormData();
    form.append('payload_json', payload);
    for (const [name, data] of Object.entries(files)) {
      form.append(name, new Blob([new Uint8Array(data)], { type: 'image/png' }), 'a.png');
    }
    return form;
  };

  it('tells an unknown webhook (404, 10015) from a wrong token (401, 50027)', async () => {
    expect(await execute({ content: 'x' }, '', `1000000000000000001/${webhook.token}`)).toMatchObject({
      status: 404,
      body: { message: 'Unknown Webhook', code: 10015 },
    });
    expect(await execute({ content: 'x' }, '', `${webhook.id}/wrong`)).toMatchObject({
      status: 401,
      body: { message: 'Invalid Webhook Token', code: 50027 },
    });
    emulator.deleteWebhook(webhook.id);
    expect((await execute({ content: 'x' })).body.code).toBe(10015);
  });

  it('answers 204 without ?wait=true, and the message with it, with rate-limit headers', async () => {
    expect((await execute({ content: 'quiet' }, '')).status).toBe(204);
    const answer = await execute({ content: 'loud' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ content: 'loud', channel_id: webhook.channelId, webhook_id: webhook.id });
    expect(answer.headers.get('x-ratelimit-limit')).toBe('5');
    expect(Number(answer.headers.get('x-ratelimit-reset-after'))).toBeLessThanOrEqual(2);
    expect(emulator.messages.map((m) => m.content)).toEqual(['quiet', 'loud']);
  });

  it('pings @everyone unless allowed_mentions says otherwise', async () => {
    await execute({ content: '@everyone hello' });
    await execute({ content: '@everyone hello', allowed_mentions: { parse: ['users'] } });
    expect(emulator.messages.map((m) => m.mentionsEveryone)).toEqual([true, false]);
    expect((await execute({ content: 'x', allowed_mentions: { parse: ['nobody'] } })).body).toEqual({
      code: 50035,
      message: 'Invalid Form Body',
      errors: {
        allowed_mentions: {
          parse: { 0: { _errors: [{ code: 'BASE_TYPE_CHOICES', message: expect.stringContaining('everyone') }] } },
        },
      },
    });
  });

  it('refuses empty messages, bad payload_json, missing files and files over 10 MB', async () => {
    expect((await execute({ content: ' ' })).body).toEqual({ message: 'Cannot send an empty message', code: 50006 });
    expect((await execute(multipart('{nope', { 'files[0]': PNG }))).body.code).toBe(50109);
    const missing = multipart(JSON.stringify({ attachments: [{ id: 1, filename: 'a.png' }] }), { 'files[0]': PNG });
    expect((await execute(missing)).body.errors).toEqual({
      attachments: { 0: { _errors: [{ code: 'ATTACHMENT_NOT_FOUND', message: 'Attachment data not found' }] } },
    });
    const huge = multipart('{}', { 'files[0]': Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]) });
    expect(await execute(huge)).toMatchObject({ status: 413, body: { code: 40005 } });
    expect(emulator.messages).toHaveLength(0);
  });

  it('answers an injected 429 the way Discord does', async () => {
    emulator.failNext({ route: 'executeWebhook', status: 429 });

    const answer = await execute({ content: 'x' });

    expect(answer).toMatchObject({
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: 60, global: false },
    });
    expect(answer.headers.get('retry-after')).toBe('60');
    expect(answer.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(answer.headers.get('x-ratelimit-scope')).toBe('user');
  });
});
