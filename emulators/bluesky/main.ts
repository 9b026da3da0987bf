/**
 * Runs the Bluesky (PDS) emulator on its own: `npx tsx emulators/bluesky/main.ts`.
 * Point Herald at it with BLUESKY_SERVICE_URL=http://127.0.0.1:4568; create accounts with
 * `POST /_emulator/accounts` and drive failures through the other /_emulator/* controls.
 */
import { startBlueskyEmulator } from './bluesky-emulator.js';

const port = Number(process.env.BLUESKY_EMULATOR_PORT ?? 4568);
const emulator = await startBlueskyEmulator({
  port,
  host: '127.0.0.1',
  onPost: (post) => console.log(`[bluesky-emulator] ${post.uri}: ${JSON.stringify(post.value.text)}`),
});
const account = emulator.createAccount({ handle: 'herald.bsky.social' });
console.log(`[bluesky-emulator] listening on ${emulator.url}`);
console.log(`[bluesky-emulator] account ${account.handle} (${account.did}), app password ${account.appPassword}`);

const stop = () => void emulator.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
