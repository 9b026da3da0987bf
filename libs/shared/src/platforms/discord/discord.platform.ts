import { pacing } from '../../pacing/pace.js';
import { baseUrl, definePlatform } from '../platform-definition.js';
import { DiscordProvider } from './discord.provider.js';

export const DISCORD_PLATFORM = definePlatform({
  name: 'discord',
  provider: DiscordProvider,
  /** Discord webhooks must be on this host (discord.com); it is where Herald sends them. */
  settings: {
    apiBaseUrl: baseUrl('DISCORD_API_BASE_URL', 'https://discord.com'),
    /**
     * Discord publishes its limits per route in response headers only (https://discord.com/developers/docs/topics/rate-limits);
     * a webhook is held to 30 messages per minute per channel. Webhooks need no app, so no app-wide limit.
     */
    pacing: pacing('DISCORD', { account: '30/60', app: 'off' }),
  },
});
