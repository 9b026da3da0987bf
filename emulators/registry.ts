/**
 * Every platform emulator, and the platforms each one plays: what `npm start` (scripts/start-local.ts),
 * the emulators' entry points (`emulators/<folder>/main.ts`) and the end-to-end suite loop over. Adding a
 * platform's emulator is its folder and one line here, with its fixture (test/platforms/). Test and demo
 * code only: nothing under apps/ or libs/ imports this (test/static/import-boundaries.spec.ts).
 */
import { blueskyFixture } from '../test/platforms/bluesky.fixture.js';
import { discordFixture } from '../test/platforms/discord.fixture.js';
import { facebookFixture } from '../test/platforms/facebook.fixture.js';
import { instagramFixture } from '../test/platforms/instagram.fixture.js';
import { linkedinFixture } from '../test/platforms/linkedin.fixture.js';
import { mastodonFixture } from '../test/platforms/mastodon.fixture.js';
import type { PlatformFixture } from '../test/platforms/platform-fixture.js';
import { telegramFixture } from '../test/platforms/telegram.fixture.js';
import { threadsFixture } from '../test/platforms/threads.fixture.js';
import { xFixture } from '../test/platforms/x.fixture.js';
import { startBlueskyEmulator } from './bluesky/bluesky-emulator.js';
import { startDiscordEmulator } from './discord/discord-emulator.js';
import { startLinkedInEmulator } from './linkedin/linkedin-emulator.js';
import { startMastodonEmulator } from './mastodon/mastodon-emulator.js';
import { startMetaGraphEmulator } from './meta-graph/meta-graph-emulator.js';
import { startTelegramEmulator } from './telegram/telegram-emulator.js';
import { startThreadsEmulator } from './threads/threads-emulator.js';
import { startXEmulator } from './x/x-emulator.js';

/** What every emulator is once started: an HTTP server on `url`. */
export interface RunningEmulator {
  readonly url: string;
  close(): Promise<void>;
}

/** One emulator (`emulators/<folder>/`) and the platforms it serves, one fixture each. */
export interface EmulatorEntry<Emulator extends RunningEmulator = RunningEmulator> {
  folder: string;
  /** Where `npm start` and its main.ts run it; unique, so all of them run side by side. */
  port: number;
  /** Starts it; no port: a free one (tests). */
  start(address: { host: string; port?: number }): Promise<Emulator>;
  platforms: PlatformFixture<Emulator>[];
}

/** Checks that the fixtures drive the emulator `start` gives. */
const emulator = <Emulator extends RunningEmulator>(entry: EmulatorEntry<Emulator>): EmulatorEntry => entry;

export const EMULATORS: EmulatorEntry[] = [
  emulator({ folder: 'x', port: 4567, start: startXEmulator, platforms: [xFixture] }),
  emulator({ folder: 'mastodon', port: 4568, start: startMastodonEmulator, platforms: [mastodonFixture] }),
  emulator({ folder: 'bluesky', port: 4569, start: startBlueskyEmulator, platforms: [blueskyFixture] }),
  emulator({ folder: 'linkedin', port: 4570, start: startLinkedInEmulator, platforms: [linkedinFixture] }),
  emulator({
    folder: 'meta-graph',
    port: 4571,
    start: startMetaGraphEmulator,
    platforms: [facebookFixture, instagramFixture],
  }),
  emulator({ folder: 'threads', port: 4572, start: startThreadsEmulator, platforms: [threadsFixture] }),
  emulator({ folder: 'telegram', port: 4573, start: startTelegramEmulator, platforms: [telegramFixture] }),
  emulator({ folder: 'discord', port: 4574, start: startDiscordEmulator, platforms: [discordFixture] }),
];

/** Every platform fixture, with the emulator that serves it. */
export const EMULATED_PLATFORMS = EMULATORS.flatMap((entry) => entry.platforms.map((fixture) => ({ entry, fixture })));

export function emulatorEntry(folder: string): EmulatorEntry {
  const entry = EMULATORS.find((candidate) => candidate.folder === folder);
  if (!entry) throw new Error(`No emulator "${folder}" in emulators/registry.ts`);
  return entry;
}
