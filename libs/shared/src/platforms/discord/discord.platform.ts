import { baseUrl, definePlatform } from '../platform-definition.js';
import { DiscordProvider } from './discord.provider.js';

export const DISCORD_PLATFORM = definePlatform({
  name: 'discord',
  provider: DiscordProvider,
  /** Discord webhooks must be on this host (discord.com); it is where Herald sends them. */
  settings: { apiBaseUrl: baseUrl('DISCORD_API_BASE_URL', 'https://discord.com') },
});
