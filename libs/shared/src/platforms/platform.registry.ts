import type { Type } from '@nestjs/common';
import { BLUESKY_PLATFORM } from './bluesky/bluesky.platform.js';
import { DISCORD_PLATFORM } from './discord/discord.platform.js';
import { FACEBOOK_PLATFORM } from './facebook/facebook.platform.js';
import { INSTAGRAM_PLATFORM } from './instagram/instagram.platform.js';
import { LINKEDIN_PLATFORM } from './linkedin/linkedin.platform.js';
import { MASTODON_PLATFORM } from './mastodon/mastodon.platform.js';
import type { SettingsOf } from './platform-definition.js';
import type { PlatformName } from './platform-name.js';
import type { PlatformProvider } from './platform-provider.js';
import { TELEGRAM_PLATFORM } from './telegram/telegram.platform.js';
import { THREADS_PLATFORM } from './threads/threads.platform.js';
import { X_PLATFORM } from './x/x.platform.js';

/**
 * Every platform Herald publishes to: adding one is its folder (with its `<name>.platform.ts`) and one
 * line here. Names, providers, environment variables and typed settings all come from this list.
 */
export const PLATFORMS = [
  X_PLATFORM,
  MASTODON_PLATFORM,
  BLUESKY_PLATFORM,
  LINKEDIN_PLATFORM,
  FACEBOOK_PLATFORM,
  INSTAGRAM_PLATFORM,
  THREADS_PLATFORM,
  TELEGRAM_PLATFORM,
  DISCORD_PLATFORM,
] as const;

/** Each platform's settings, by name (`config.platforms.x.apiBaseUrl`). */
export type PlatformSettings = {
  readonly [Definition in (typeof PLATFORMS)[number] as Definition['name']]: SettingsOf<Definition>;
};

export const PLATFORM_PROVIDERS: Type<PlatformProvider>[] = PLATFORMS.map((definition) => definition.provider);

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
