import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startTelegramEmulator, type TelegramBotAccount, type TelegramEmulator } from './telegram-emulator.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('Telegram emulator wire behaviour', () => {
  let emulator: TelegramEmulator;
  let bot: TelegramBotAccount;
  let chatId: number;

  beforeAll(async () => {
    emulator = await startTelegramEmulator();
  });
  beforeEach(() => {
    emulator.reset();
    bot = emulator.createBot();
    chatId = emulator.createChat({ admins: [bot.token] }).id;
  });
  afterAll(async () => {
    await emulator.close();
  });

  const call = async (method: string, body?: object | FormData, token = bot.token) => {
    const form = body instanceof FormData;
    const response = await fetch(`${emulator.url}/bot${token}/${method}`, {
      method: 'POST',
      headers: body === undefined || form ? {} : { 'content-type': 'application/json' },
      body: form ? body : body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };
  const photoForm = (fields: Record<string, string>, files: Record<string, Buffer>) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    for (const [name, data] of Object.entries(files)) form.append(name, new Blob([new Uint8Array(data)]), 'a.png');
    return form;
  };

  it('answers an unknown or revoked token with 401, and an unknown method with 404', async () => {
    expect(await call('getMe', undefined, `${bot.id}:AAnot-the-token-of-this-bot-at-all-xx`)).toEqual({
      status: 401,
      headers: expect.anything(),
      body: { ok: false, error_code: 401, description: 'Unauthorized' },
    });
    expect((await call('GETME')).body).toMatchObject({ ok: true, result: { id: bot.id, is_bot: true } });
    expect((await call('sendTelepathy')).body).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
    emulator.revokeToken(bot.token);
    expect((await call('getMe')).status).toBe(401);
  });

  it('reads parameters from the query string, JSON and forms alike', async () => {
    const query = await fetch(`${emulator.url}/bot${bot.token}/sendMessage?chat_id=${chatId}&text=hi`);
    expect(query.status).toBe(200);
    const form = await fetch(`${emulator.url}/bot${bot.token}/sendMessage`, {
      method: 'POST',
      body: new URLSearchParams({ chat_id: String(chatId), text: ' there ' }),
    });
    expect(form.status).toBe(200);
    expect(emulator.messages.map((m) => m.text)).toEqual(['hi', 'there']);
  });

  it('refuses empty or too long text, and chats the bot cannot see', async () => {
    expect((await call('sendMessage', { chat_id: chatId, text: '  ' })).body.description).toBe(
      'Bad Request: message text is empty',
    );
    expect((await call('sendMessage', { chat_id: chatId, text: '🎉'.repeat(2049) })).body.description).toBe(
      'Bad Request: message is too long',
    );
    expect((await call('sendMessage', { chat_id: chatId, text: '🎉'.repeat(2048) })).status).toBe(200);
    const hidden = emulator.createChat().id;
    expect(await call('sendMessage', { chat_id: hidden, text: 'x' })).toMatchObject({
      status: 400,
      body: { description: 'Bad Request: chat not found' },
    });
  });

  it('checks uploaded photos: present, images, referenced by attach://', async () => {
    expect((await call('sendPhoto', photoForm({ chat_id: String(chatId) }, {}))).body.description).toBe(
      'Bad Request: there is no photo in the request',
    );
    const notAnImage = photoForm({ chat_id: String(chatId) }, { photo: Buffer.from('hello') });
    expect((await call('sendPhoto', notAnImage)).body.description).toBe('Bad Request: IMAGE_PROCESS_FAILED');
    const attached = photoForm({ chat_id: String(chatId), photo: 'attach://pic' }, { pic: PNG });
    expect((await call('sendPhoto', attached)).body.result.photo[0].file_size).toBe(PNG.length);
  });

  it('sends albums of 2 to 10 photos, each a message of one media group', async () => {
    const album = (count: number) =>
      photoForm(
        {
          chat_id: String(chatId),
          media: JSON.stringify(Array.from({ length: count }, (_, i) => ({ type: 'photo', media: `attach://p${i}` }))),
        },
        Object.fromEntries(Array.from({ length: count }, (_, i) => [`p${i}`, PNG])),
      );
    expect((await call('sendMediaGroup', album(1))).body.description).toBe(
      'Bad Request: media must include 2-10 items',
    );
    const sent = await call('sendMediaGroup', album(2));
    expect(sent.body.result).toHaveLength(2);
    expect(sent.body.result[0].media_group_id).toBe(sent.body.result[1].media_group_id);
    const missing = photoForm(
      { chat_id: String(chatId), media: JSON.stringify([0, 1].map(() => ({ type: 'photo', media: 'attach://nope' }))) },
      {},
    );
    expect((await call('sendMediaGroup', missing)).body.description).toBe(
      'Bad Request: wrong file identifier/HTTP URL specified',
    );
  });

  it('answers an injected 429 the way Telegram does', async () => {
    emulator.failNext({ route: 'send', status: 429 });

    const answer = await call('sendMessage', { chat_id: chatId, text: 'x' });

    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('60');
    expect(answer.body).toEqual({
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 60',
      parameters: { retry_after: 60 },
    });
  });
});
