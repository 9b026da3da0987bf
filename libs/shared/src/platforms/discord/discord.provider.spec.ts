import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  type DiscordEmulator,
  type DiscordWebhookAccount,
  startDiscordEmulator,
} from '../../../../../emulators/discord/discord-emulator.js';
import { AppConfig } from '../../config/app-config.js';
import { loadEnvironment } from '../../config/environment.js';
import { DomainError } from '../../errors/domain-error.js';
import type { MediaAttachment, PublishFailure } from '../platform-provider.js';
import type { DiscordCredentials } from './discord-webhook.js';
import { DiscordProvider } from './discord.provider.js';

const TIMEOUT_MS = 1000;

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function configFor(baseUrl: string): AppConfig {
  return new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      ADMIN_TOKEN: 'x'.repeat(20),
      DISCORD_API_BASE_URL: baseUrl,
      PLATFORM_TIMEOUT_MS: String(TIMEOUT_MS),
      PUBLISH_LEASE_SECONDS: '5',
    }),
  );
}

function image(data: Buffer, mimeType: string, altText: string | null = null): MediaAttachment {
  return {
    mediaId: randomUUID(),
    mimeType,
    sizeBytes: data.length,
    altText,
    read: () => Promise.resolve(data),
    publicUrl: () => Promise.reject(new Error('Discord gets the bytes, not a link')),
  };
}

const post = (text: string, media: MediaAttachment[] = []) => ({ text, media, idempotencyKey: randomUUID() });

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeDefined();
  return outcome;
}

describe('DiscordProvider against the Discord emulator', () => {
  let emulator: DiscordEmulator;
  let provider: DiscordProvider;
  let webhook: DiscordWebhookAccount;
  let credentials: DiscordCredentials;

  const failureOf = async (promise: Promise<unknown>): Promise<PublishFailure> =>
    provider.classifyError(await errorOf(promise));
  const calls = () => emulator.requests.map((r) => `${r.method} ${r.route} ${r.status}`);

  beforeAll(async () => {
    emulator = await startDiscordEmulator();
    provider = new DiscordProvider(configFor(emulator.url));
  });
  beforeEach(() => {
    emulator.reset();
    webhook = emulator.createWebhook({ name: 'Release bot' });
    credentials = provider.parseCredentials({ webhookUrl: webhook.url });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('declares that a landed message cannot be found again', async () => {
    expect(provider.capabilities).toEqual({ findPublished: false, idempotencyKeys: false });
    await expect(provider.findPublished()).resolves.toBeNull();
  });

  describe('publish', () => {
    it('executes the webhook with the text, pinging no one, and links to the message', async () => {
      const published = await provider.publish(credentials, post('@everyone Release 1.2 is out <@&123>'));

      expect(emulator.messages).toHaveLength(1);
      const [message] = emulator.messages;
      expect(message).toMatchObject({
        webhookId: webhook.id,
        content: '@everyone Release 1.2 is out <@&123>',
        attachments: [],
        mentionsEveryone: false,
      });
      expect(published).toEqual({
        platformPostId: message.id,
        url: `https://discord.com/channels/${webhook.guildId}/${webhook.channelId}/${message.id}`,
      });
      // The webhook is looked up once (for its server), before anything is posted.
      expect(calls()).toEqual(['GET getWebhook 200', 'POST executeWebhook 200']);
      expect(emulator.requests[1].path).toBe(`/api/v10/webhooks/${webhook.id}/${webhook.token}`);

      await provider.publish(credentials, post('Again'));
      expect(calls().slice(2)).toEqual(['POST executeWebhook 200']);
    });

    it('uploads images as files[n] with their alt text as the attachment description', async () => {
      const images = [image(PNG, 'image/png', 'A single dot'), image(GIF, 'image/gif')];

      const published = await provider.publish(credentials, post('Two pictures', images));

      const [message] = emulator.messages;
      expect(message.content).toBe('Two pictures');
      expect(message.attachments.map(({ data: _data, id: _id, ...rest }) => rest)).toEqual([
        { filename: 'image-1.png', description: 'A single dot', contentType: 'image/png' },
        { filename: 'image-2.gif', contentType: 'image/gif' },
      ]);
      expect(message.attachments[0].data.equals(PNG)).toBe(true);
      expect(message.attachments[1].data.equals(GIF)).toBe(true);
      expect(published.platformPostId).toBe(message.id);
    });

    it('sends images without text', async () => {
      await provider.publish(credentials, post('', [image(PNG, 'image/png')]));

      expect(emulator.messages.map((m) => [m.content, m.attachments.length])).toEqual([['', 1]]);
    });
  });

  describe('verifyCredentials', () => {
    it('names the webhook', async () => {
      await expect(provider.verifyCredentials(credentials)).resolves.toEqual({
        externalId: webhook.id,
        displayName: 'Release bot',
      });
    });

    it('rejects a wrong token (401 Invalid Webhook Token), never showing it', async () => {
      const forged = provider.parseCredentials({ webhookUrl: webhook.url.replace(/.{8}$/, 'AAAAAAAA') });

      const error = await errorOf(provider.verifyCredentials(forged));

      expect(provider.classifyError(error)).toEqual({
        kind: 'permanent',
        statusCode: 401,
        credentialsRejected: true,
        message: 'Discord rejected the credentials (401): Invalid Webhook Token (50027)',
      });
      const secret = forged.webhookUrl.split('/').pop()!;
      expect(inspect(error, { depth: 6 })).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
    });

    it('rejects a deleted webhook (404 Unknown Webhook) as revoked credentials', async () => {
      emulator.deleteWebhook(webhook.id);

      const failure = await failureOf(provider.verifyCredentials(credentials));

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 404,
        credentialsRejected: true,
        message: 'Discord rejected the credentials (404): Unknown Webhook (10015)',
      });
    });
  });

  describe('classifyError', () => {
    beforeEach(async () => {
      await provider.verifyCredentials(credentials); // the webhook's server is known: publish is one call
      emulator.reset();
    });

    it('reports a deleted webhook at publish time as rejected credentials', async () => {
      emulator.deleteWebhook(webhook.id);

      const failure = await failureOf(provider.publish(credentials, post('Anyone?')));

      expect(failure).toMatchObject({ kind: 'permanent', statusCode: 404, credentialsRejected: true });
      expect(emulator.messages).toHaveLength(0);
    });

    it('waits as long as retry_after says on a 429, to the millisecond', async () => {
      emulator.failNext({
        route: 'executeWebhook',
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: 12.345, global: false },
      });

      const failure = await failureOf(provider.publish(credentials, post('Busy')));

      expect(failure).toMatchObject({ kind: 'retryable', statusCode: 429, rateLimited: true, retryAfterMs: 12_345 });
      expect(failure.message).toMatch(
        /^Discord rate limit reached \(429\); resets at .+: You are being rate limited\.$/,
      );
      expect(emulator.messages).toHaveLength(0);
    });

    it('falls back to the X-RateLimit-Reset-After header', async () => {
      emulator.failNext({
        route: 'executeWebhook',
        status: 429,
        body: 'error code: 1015',
        headers: { 'retry-after': '', 'x-ratelimit-reset-after': '7.5' },
      });

      const failure = await failureOf(provider.publish(credentials, post('Busy')));

      expect(failure).toMatchObject({ kind: 'retryable', rateLimited: true, retryAfterMs: 7500 });
    });

    it('keeps the webhook token, which is in the URL, out of a timed-out request’s error', async () => {
      emulator.failNext({ route: 'executeWebhook', delayMs: TIMEOUT_MS * 4 });

      const error = await errorOf(provider.publish(credentials, post('Slow')));

      expect(provider.classifyError(error).kind).toBe('unknown');
      expect(inspect(error, { depth: 6 })).not.toContain(webhook.token);
    });

    it('quotes the fields Discord names in an Invalid Form Body (400), permanent', async () => {
      const failure = await failureOf(
        provider.publish(credentials, post('x'.repeat(2001), [image(PNG, 'image/png', 'y'.repeat(1025))])),
      );

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 400,
        message:
          'Discord rejected the request (400): Invalid Form Body (50035): content: Must be 2000 or fewer in length.; ' +
          'attachments.0.description: Must be 1024 or fewer in length.',
      });
      expect(emulator.messages).toHaveLength(0);
    });
  });

  describe('parseCredentials', () => {
    const id = '1234567890123456789';
    const token = 'aB3_dE-fG'.repeat(7).slice(0, 68);

    it('accepts the URLs Discord gives, and keeps them on discord.com', () => {
      for (const url of [
        `https://discord.com/api/webhooks/${id}/${token}`,
        `https://discordapp.com/api/webhooks/${id}/${token}`,
        `https://ptb.discord.com/api/v10/webhooks/${id}/${token}/`,
        ` https://canary.discordapp.com/api/v9/webhooks/${id}/${token} `,
      ]) {
        expect(provider.parseCredentials({ webhookUrl: url })).toEqual({
          webhookUrl: `https://discord.com/api/webhooks/${id}/${token}`,
        });
      }
    });

    it('refuses anything that could send the worker elsewhere', () => {
      for (const url of [
        `http://discord.com/api/webhooks/${id}/${token}`,
        `https://discord.com.evil.example/api/webhooks/${id}/${token}`,
        `https://evil.example/api/webhooks/${id}/${token}`,
        `https://discord.com:8443/api/webhooks/${id}/${token}`,
        `https://user@discord.com/api/webhooks/${id}/${token}`,
        `https://discord.com/api/webhooks/${id}/${token}?thread_id=1`,
        `https://discord.com/api/webhooks/${id}/${token}/../../../users/@me`,
        `https://discord.com/api/webhooks/${id}`,
        'not a url',
      ]) {
        expect(() => provider.parseCredentials({ webhookUrl: url })).toThrow(DomainError);
      }
      expect(() =>
        provider.parseCredentials({ webhookUrl: `https://discord.com/api/webhooks/${id}/${token}`, x: 1 }),
      ).toThrow('credentials.x: is not accepted for Discord (only webhookUrl)');
    });
  });
});
