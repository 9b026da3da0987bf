import type { Type } from '@nestjs/common';
import { BlueskyProvider } from './bluesky/bluesky.provider.js';
import { DiscordProvider } from './discord/discord.provider.js';
import { FacebookProvider } from './facebook/facebook.provider.js';
import { InstagramProvider } from './instagram/instagram.provider.js';
import { LinkedInProvider } from './linkedin/linkedin.provider.js';
import { MastodonProvider } from './mastodon/mastodon.provider.js';
import type { PlatformName } from './platform-name.js';
import type { PlatformProvider } from './platform-provider.js';
import { TelegramProvider } from './telegram/telegram.provider.js';
import { ThreadsProvider } from './threads/threads.provider.js';
import { XProvider } from './x/x.provider.js';

/** Every platform Herald publishes to: adding one is one line here (plus its folder and emulator). */
export const PLATFORM_PROVIDERS: Type<PlatformProvider>[] = [
  XProvider,
  MastodonProvider,
  BlueskyProvider,
  LinkedInProvider,
  FacebookProvider,
  InstagramProvider,
  ThreadsProvider,
  TelegramProvider,
  DiscordProvider,
];

/** Looks up the provider of a platform. Built by PlatformsModule from {@link PLATFORM_PROVIDERS}. */
export class PlatformRegistry {
  private readonly providers: ReadonlyMap<PlatformName, PlatformProvider>;

  constructor(providers: PlatformProvider[]) {
    this.providers = new Map(providers.map((provider) => [provider.platform, provider]));
  }

  get(platform: PlatformName): PlatformProvider {
    const provider = this.providers.get(platform);
    if (!provider) throw new Error(`No provider registered for platform "${platform}"`);
    return provider;
  }
}
