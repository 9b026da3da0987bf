import type { RecordedMessage, TelegramEmulator } from '../../emulators/telegram/telegram-emulator.js';
import type { EmulatedPost, PlatformFixture } from './platform-fixture.js';

/** Telegram through its Bot API emulator: each account is a new bot administering a new private channel. */
export const telegramFixture: PlatformFixture<TelegramEmulator> = {
  platform: 'telegram',
  threads: false,
  imageRequired: false,
  reportsRateLimitReset: true,
  // The bot's id before the colon is public; the part after it is the secret.
  secretOf: (credentials) => String(credentials.botToken).split(':')[1],
  tooLongText: 'x'.repeat(4097),
  env: (emulator) => ({ TELEGRAM_API_BASE_URL: emulator.url }),
  attach(emulator) {
    return {
      newCredentials: () => {
        const bot = emulator.createBot();
        const channel = emulator.createChat({ admins: [bot.token] });
        return { botToken: bot.token, chatId: String(channel.id) };
      },
      // Well-formed, but no bot has this token: Telegram answers 401 Unauthorized.
      badCredentials: () => ({ botToken: `999999999:AA${'x'.repeat(33)}`, chatId: '-1001000000001' }),
      revoke: (credentials) => emulator.revokeToken(String(credentials.botToken)),
      posts: () => postsOf(emulator.messages),
      failNextPublish: (fault) => emulator.failNext({ ...fault, route: 'send' }),
      failNextCall: (fault) => emulator.failNext(fault),
      reset: () => emulator.reset(),
    };
  },
};

/** One post per message, except an album (one message per image), which is one post with its first message's id. */
function postsOf(messages: RecordedMessage[]): EmulatedPost[] {
  const posts: EmulatedPost[] = [];
  const albums = new Map<string, EmulatedPost>();
  for (const message of messages) {
    const media = message.media ? [{ altText: '', sizeBytes: message.media.data.length }] : [];
    const album = message.mediaGroupId ? albums.get(message.mediaGroupId) : undefined;
    if (album) {
      album.media.push(...media);
      continue;
    }
    const post: EmulatedPost = {
      id: `${message.chatId}:${message.messageId}`,
      text: message.text ?? message.caption ?? '',
      media,
    };
    posts.push(post);
    if (message.mediaGroupId) albums.set(message.mediaGroupId, post);
  }
  return posts;
}
