import type { EmulatedPost } from '../test/platforms/platform-fixture.js';
import { emulatorEntry, type EmulatorEntry } from './registry.js';

/** An emulator started for people to try Herald against. */
export interface DemoEmulator {
  /** The variables that point Herald at it. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts `entry` on loopback and tells, through `log`, where it listens, the variables that point Herald
 * at it, a first account's credentials for each platform it serves, and each post as it lands. Shared by
 * `npm start` and every emulator's main.ts.
 */
export async function startDemoEmulator(
  entry: EmulatorEntry,
  port: number,
  log: (line: string) => void,
): Promise<DemoEmulator> {
  const emulator = await entry.start({ host: '127.0.0.1', port });
  const env = Object.fromEntries(entry.platforms.flatMap((fixture) => Object.entries(fixture.env(emulator))));
  log(`listening on ${emulator.url} (controls under ${emulator.url}/_emulator/)`);
  log(
    `Herald reaches it with ${Object.entries(env)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ')}`,
  );
  const watchers = entry.platforms.map((fixture) => {
    const platform = fixture.attach(emulator);
    const credentials = platform.newCredentials();
    log(
      `an account on ${fixture.platform}: POST /v1/accounts ${JSON.stringify({ platform: fixture.platform, credentials })}`,
    );
    // The fixtures see every emulator's posts the same way; polling them spares each emulator a log hook.
    let shown = 0;
    return setInterval(() => {
      const posts = platform.posts();
      for (const post of posts.slice(shown)) log(`${fixture.platform} published ${describePost(post)}`);
      shown = posts.length;
    }, 500).unref();
  });
  return {
    env,
    close: () => {
      for (const watcher of watchers) clearInterval(watcher);
      return emulator.close();
    },
  };
}

/**
 * What `npx tsx emulators/<folder>/main.ts` does: runs that emulator by itself until SIGINT or SIGTERM,
 * on `<FOLDER>_EMULATOR_PORT` (e.g. META_GRAPH_EMULATOR_PORT), else on its port in the registry.
 */
export async function runEmulatorMain(folder: string): Promise<void> {
  const entry = emulatorEntry(folder);
  const port = Number(process.env[`${folder.toUpperCase().replaceAll('-', '_')}_EMULATOR_PORT`] ?? entry.port);
  const prefix = `[${folder}-emulator]`;
  const running = await startDemoEmulator(entry, port, (line) => console.log(`${prefix} ${line}`));
  closeOnSignals(prefix, running);
}

/** Closes `emulator` on SIGINT or SIGTERM, then exits: how an emulator's main.ts ends. */
export function closeOnSignals(prefix: string, emulator: { close(): Promise<void> }): void {
  const stop = () =>
    void emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`${prefix} could not close cleanly:`, error);
        process.exit(1);
      },
    );
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function describePost(post: EmulatedPost): string {
  const details = [
    post.media.length > 0 ? `${post.media.length} image(s)` : '',
    post.replyToId ? `reply to ${post.replyToId}` : '',
  ].filter(Boolean);
  return `${post.id}: ${JSON.stringify(post.text)}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}
