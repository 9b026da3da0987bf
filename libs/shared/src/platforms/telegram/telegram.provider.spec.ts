import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  startTelegramEmulator,
  type TelegramBotAccount,
  type TelegramEmulatedChat,
  type TelegramEmulator,
} from '../../../../../emulators/telegram/telegram-emulator.js';
import { AppConfig } from '../../config/app-config.js';
import { loadEnvironment } from '../../config/environment.js';
import { DomainError } from '../../errors/domain-error.js';
import type { MediaAttachment, PublishFailure } from '../platform-provider.js';
import type { TelegramCredentials } from './telegram-credentials.js';
import { TelegramProvider } from './telegram.provider.js';

const TIMEOUT_MS = 1000;

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 7)]);

function configFor(baseUrl: string): AppConfig {
  return new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      ADMIN_TOKEN: 'x'.repeat(20),
      TELEGRAM_API_BASE_URL: baseUrl,
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
    publicUrl: () => Promise.reject(new Error('Telegram gets the bytes, not a link')),
  };
}

let usernames = 0;
/** Chats outlive emulator.reset(), so each test names its public chat differently. */
const uniqueUsername = () => `herald_news_${(usernames += 1)}`;

const post = (text: string, media: MediaAttachment[] = []) => ({ text, media, idempotencyKey: randomUUID() });

/** Runs `promise`, expects it to fail, and returns the error. */
async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeDefined();
  return outcome;
}

describe('TelegramProvider against the Telegram emulator', () => {
  let emulator: TelegramEmulator;
  let provider: TelegramProvider;
  let bot: TelegramBotAccount;
  let channel: TelegramEmulatedChat;
  let credentials: TelegramCredentials;

  const failureOf = async (promise: Promise<unknown>): Promise<PublishFailure> =>
    provider.classifyError(await errorOf(promise));

  beforeAll(async () => {
    emulator = await startTelegramEmulator();
    provider = new TelegramProvider(configFor(emulator.url));
  });
  beforeEach(() => {
    emulator.reset();
    bot = emulator.createBot();
    channel = emulator.createChat({ title: 'Release notes', admins: [bot.token] });
    credentials = { botToken: bot.token, chatId: String(channel.id) };
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('declares that a landed message cannot be found again', async () => {
    expect(provider.capabilities).toEqual({ findPublished: false, idempotencyKeys: false });
    await expect(provider.findPublished()).resolves.toBeNull();
  });

  describe('publish', () => {
    it('sends text with sendMessage, literally, and links to the message in a private channel', async () => {
      const text = 'Release *1.2* is out: <b>not bold</b> https://example.com';

      const published = await provider.publish(credentials, post(text));

      expect(emulator.messages).toHaveLength(1);
      const [message] = emulator.messages;
      expect(message).toMatchObject({ chatId: channel.id, botId: bot.id, text });
      expect(message.parseMode).toBeUndefined();
      const internalId = String(channel.id).slice('-100'.length);
      expect(published).toEqual({
        platformPostId: `${channel.id}:${message.messageId}`,
        url: `https://t.me/c/${internalId}/${message.messageId}`,
      });
      expect(emulator.requests.map((r) => [r.method, r.path.replace(bot.token, '<token>'), r.status])).toEqual([
        ['POST', '/bot<token>/sendMessage', 200],
      ]);
    });

    it('links to the message by username in a public channel', async () => {
      const username = uniqueUsername();
      const publicChannel = emulator.createChat({ username, admins: [bot.token] });

      const published = await provider.publish({ ...credentials, chatId: `@${username}` }, post('Hello'));

      const [message] = emulator.messages;
      expect(message.chatId).toBe(publicChannel.id);
      expect(published).toEqual({
        platformPostId: `${publicChannel.id}:${message.messageId}`,
        url: `https://t.me/${username}/${message.messageId}`,
      });
    });

    it('uploads one image with sendPhoto, the text as its caption (alt text has nowhere to go)', async () => {
      const published = await provider.publish(credentials, post('A photo', [image(PNG, 'image/png', 'A dot')]));

      expect(emulator.messages).toHaveLength(1);
      const [message] = emulator.messages;
      expect(message).toMatchObject({ caption: 'A photo', media: { kind: 'photo', mimeType: 'image/png' } });
      expect(message.media?.data.equals(PNG)).toBe(true);
      expect(message.text).toBeUndefined();
      expect(published.platformPostId).toBe(`${channel.id}:${message.messageId}`);
      expect(emulator.requests.map((r) => r.path.split('/').pop())).toEqual(['sendPhoto']);
    });

    it('sends an image without caption when there is no text', async () => {
      await provider.publish(credentials, post('', [image(JPEG, 'image/jpeg')]));

      const [message] = emulator.messages;
      expect(message.caption).toBeUndefined();
      expect(message.media).toMatchObject({ kind: 'photo', mimeType: 'image/jpeg' });
    });

    it('sends a GIF with sendAnimation so that it stays animated', async () => {
      await provider.publish(credentials, post('Moving', [image(GIF, 'image/gif')]));

      const [message] = emulator.messages;
      expect(message).toMatchObject({ caption: 'Moving', media: { kind: 'animation', mimeType: 'image/gif' } });
      expect(message.media?.data.equals(GIF)).toBe(true);
      expect(emulator.requests.map((r) => r.path.split('/').pop())).toEqual(['sendAnimation']);
    });

    it('sends several images as one album, captioned once, and returns its first message', async () => {
      const images = [image(PNG, 'image/png'), image(JPEG, 'image/jpeg'), image(PNG, 'image/png')];

      const published = await provider.publish(credentials, post('Three pictures', images));

      expect(emulator.messages).toHaveLength(3);
      const [first, ...rest] = emulator.messages;
      expect(new Set(emulator.messages.map((m) => m.mediaGroupId)).size).toBe(1);
      expect(first.mediaGroupId).toBeDefined();
      expect(emulator.messages.map((m) => m.caption)).toEqual(['Three pictures', undefined, undefined]);
      expect(emulator.messages.map((m) => m.media?.mimeType)).toEqual(['image/png', 'image/jpeg', 'image/png']);
      expect(rest.every((m) => m.messageId > first.messageId)).toBe(true);
      expect(published.platformPostId).toBe(`${channel.id}:${first.messageId}`);
      expect(emulator.requests.map((r) => r.path.split('/').pop())).toEqual(['sendMediaGroup']);
    });
  });

  describe('verifyCredentials', () => {
    it('names the channel the bot may post in', async () => {
      await expect(provider.verifyCredentials(credentials)).resolves.toEqual({
        externalId: String(channel.id),
        displayName: 'Release notes',
      });
      const username = uniqueUsername();
      const publicChannel = emulator.createChat({ title: 'News', username, admins: [bot.token] });
      await expect(provider.verifyCredentials({ ...credentials, chatId: `@${username}` })).resolves.toEqual({
        externalId: String(publicChannel.id),
        displayName: `News (@${username})`,
      });
    });

    it('rejects a revoked token (401) as rejected credentials, never showing the token', async () => {
      emulator.revokeToken(bot.token);

      const error = await errorOf(provider.verifyCredentials(credentials));
      const failure = provider.classifyError(error);

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 401,
        credentialsRejected: true,
        message: 'Telegram rejected the credentials (401): Unauthorized',
      });
      const secret = bot.token.split(':')[1];
      expect(inspect(error, { depth: 6 })).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(String((error as Error).stack)).not.toContain(secret);
    });

    it('rejects a bot that is an administrator without the right to post', async () => {
      emulator.setBotStatus(channel.id, bot.token, 'administrator', false);

      const error = await errorOf(provider.verifyCredentials(credentials));

      expect(error).toBeInstanceOf(DomainError);
      expect(provider.classifyError(error)).toEqual({
        kind: 'permanent',
        credentialsRejected: true,
        message: `credentials.chatId: @${bot.username} may not post in "Release notes": make the bot an administrator allowed to post messages`,
      });
    });

    it('refuses a basic group, whose messages have no links', async () => {
      const group = emulator.createChat({ type: 'group', title: 'Friends', admins: [bot.token] });

      const error = await errorOf(provider.verifyCredentials({ ...credentials, chatId: String(group.id) }));

      expect((error as DomainError).details).toEqual([
        { field: 'credentials.chatId', message: 'is a group chat; Herald posts to Telegram channels and supergroups' },
      ]);
    });

    it('accepts a supergroup the bot is a member of', async () => {
      const group = emulator.createChat({ type: 'supergroup', title: 'Community' });
      emulator.setBotStatus(group.id, bot.token, 'member');

      await expect(provider.verifyCredentials({ ...credentials, chatId: String(group.id) })).resolves.toEqual({
        externalId: String(group.id),
        displayName: 'Community',
      });
    });

    it('reports a chat the bot cannot see as permanent, without rejecting the credentials', async () => {
      const elsewhere = emulator.createChat({ title: 'Not ours' });

      const failure = await failureOf(provider.verifyCredentials({ ...credentials, chatId: String(elsewhere.id) }));

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 400,
        message: 'Telegram rejected the request (400): Bad Request: chat not found',
      });
    });
  });

  describe('classifyError', () => {
    it('treats a kicked bot (403) as rejected credentials: the account needs reconnecting', async () => {
      emulator.setBotStatus(channel.id, bot.token, 'kicked');

      const failure = await failureOf(provider.publish(credentials, post('Anyone?')));

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 403,
        credentialsRejected: true,
        message: 'Telegram rejected the credentials (403): Forbidden: bot was kicked from the channel chat',
      });
      expect(emulator.messages).toHaveLength(0);
    });

    it('treats lost posting rights (400 need administrator rights) as rejected credentials', async () => {
      emulator.setBotStatus(channel.id, bot.token, 'administrator', false);

      const failure = await failureOf(provider.publish(credentials, post('Anyone?')));

      expect(failure).toMatchObject({ kind: 'permanent', statusCode: 400, credentialsRejected: true });
      expect(failure.message).toBe(
        'Telegram rejected the credentials (400): Bad Request: need administrator rights in the channel chat',
      );
    });

    it('keeps the bot token, which is in the URL, out of a timed-out request’s error', async () => {
      emulator.failNext({ route: 'send', delayMs: TIMEOUT_MS * 4 });

      const error = await errorOf(provider.publish(credentials, post('Slow')));

      expect(provider.classifyError(error).kind).toBe('unknown');
      expect(inspect(error, { depth: 6 })).not.toContain(bot.token.split(':')[1]);
    });

    it('quotes Telegram on a rejected message (400) and keeps it permanent', async () => {
      const failure = await failureOf(provider.publish(credentials, post('x'.repeat(4097))));

      expect(failure).toEqual({
        kind: 'permanent',
        statusCode: 400,
        message: 'Telegram rejected the request (400): Bad Request: message is too long',
      });

      const caption = await failureOf(provider.publish(credentials, post('x'.repeat(1025), [image(PNG, 'image/png')])));
      expect(caption.message).toBe('Telegram rejected the request (400): Bad Request: message caption is too long');
      expect(emulator.messages).toHaveLength(0);
    });
  });

  describe('parseCredentials', () => {
    const token = '123456789:AAHk3l_9mZ-Qw8eR7tY6uI5oP4aS3dF2gH1';

    it('accepts a bot token with a numeric chat id (as number or string) or a public username', () => {
      expect(provider.parseCredentials({ botToken: token, chatId: -1001234567890 })).toEqual({
        botToken: token,
        chatId: '-1001234567890',
      });
      expect(provider.parseCredentials({ botToken: ` ${token} `, chatId: ' @herald_news ' })).toEqual({
        botToken: token,
        chatId: '@herald_news',
      });
    });

    it('names every field that is wrong', () => {
      const error = errorFrom(() => provider.parseCredentials({ botToken: 'nope', chatId: 'news', extra: 1 }));
      expect(error.details?.map((d) => d.field)).toEqual([
        'credentials.botToken',
        'credentials.chatId',
        'credentials.extra',
      ]);
      expect(errorFrom(() => provider.parseCredentials(null)).details).toHaveLength(2);
      expect(errorFrom(() => provider.parseCredentials({ botToken: token, chatId: '@abc' })).details).toEqual([
        { field: 'credentials.chatId', message: expect.stringContaining('@username') },
      ]);
    });
  });
});

function errorFrom(action: () => unknown): DomainError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError');
}
