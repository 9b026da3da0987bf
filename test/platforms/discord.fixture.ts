import type { DiscordEmulator, RecordedDiscordMessage } from '../../emulators/discord/discord-emulator.js';
import type { EmulatedPost, PlatformFixture } from './platform-fixture.js';

/** Discord through its webhook emulator: each account is a new channel webhook. */
export const discordFixture: PlatformFixture<DiscordEmulator> = {
  platform: 'discord',
  threads: false,
  imageRequired: false,
  reportsRateLimitReset: true,
  // The webhook's URL ends with its token.
  secretOf: (credentials) => String(credentials.webhookUrl).split('/').at(-1) ?? '',
  tooLongText: 'x'.repeat(2001),
  env: (emulator) => ({
    DISCORD_API_BASE_URL: emulator.url,
  }),
  attach: (emulator) => ({
    newCredentials: () => ({ webhookUrl: emulator.createWebhook().url }),
    // Well-formed, but no such webhook: Discord answers 404 Unknown Webhook.
    badCredentials: () => ({ webhookUrl: `https://discord.com/api/webhooks/1000000000000000001/${'x'.repeat(68)}` }),
    // Discord cannot revoke a webhook's token: deleting the webhook is how its URL stops working.
    revoke: (credentials) => emulator.deleteWebhook(String(credentials.webhookUrl).split('/').at(-2) ?? ''),
    posts: () => emulator.messages.map(toEmulatedPost),
    failNextPublish: (fault) => emulator.failNext({ ...fault, route: 'executeWebhook' }),
    failNextCall: (fault) => emulator.failNext(fault),
    reset: () => emulator.reset(),
  }),
};

const toEmulatedPost = (message: RecordedDiscordMessage): EmulatedPost => ({
  id: message.id,
  text: message.content,
  media: message.attachments.map((attachment) => ({
    altText: attachment.description ?? '',
    sizeBytes: attachment.data.length,
  })),
});
