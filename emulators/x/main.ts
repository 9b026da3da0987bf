/**
 * Runs the X API v2 emulator on its own: `npx tsx emulators/x/main.ts`.
 * Point Herald at it with X_API_BASE_URL=http://127.0.0.1:4567; drive failures through /_emulator/*.
 */
import { startXEmulator } from './x-emulator.js';

const port = Number(process.env.X_EMULATOR_PORT ?? 4567);
const emulator = await startXEmulator({
  port,
  host: '127.0.0.1',
  onTweet: (tweet) => console.log(`[x-emulator] tweet ${tweet.id} by ${tweet.authorId}: ${JSON.stringify(tweet.text)}`),
});
console.log(`[x-emulator] listening on ${emulator.url} (controls under ${emulator.url}/_emulator/)`);

const stop = () =>
  void emulator.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('[x-emulator] could not close cleanly:', error);
      process.exit(1);
    },
  );
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
