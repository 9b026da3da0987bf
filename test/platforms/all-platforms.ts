import { blueskyFixture } from './bluesky.fixture.js';
import { discordFixture } from './discord.fixture.js';
import { facebookFixture } from './facebook.fixture.js';
import { instagramFixture } from './instagram.fixture.js';
import { linkedinFixture } from './linkedin.fixture.js';
import { mastodonFixture } from './mastodon.fixture.js';
import type { PlatformFixture } from './platform-fixture.js';
import { telegramFixture } from './telegram.fixture.js';
import { threadsFixture } from './threads.fixture.js';
import { xFixture } from './x.fixture.js';

/** Every platform's emulator fixture, for the tests that run them all. */
export const PLATFORM_FIXTURES: PlatformFixture[] = [
  xFixture,
  mastodonFixture,
  blueskyFixture,
  linkedinFixture,
  facebookFixture,
  instagramFixture,
  threadsFixture,
  telegramFixture,
  discordFixture,
];
