/**
 * Runs the X emulator on its own: `npx tsx emulators/x/main.ts`.
 * Point Herald at it with X_API_BASE_URL and X_OAUTH_BASE_URL=http://127.0.0.1:4567, and X_CLIENT_ID /
 * X_CLIENT_SECRET at the app it prints; get tokens for a new account with `POST /_emulator/tokens`, drive
 * failures through /_emulator/*.
 */
import { startXEmulator } from './x-emulator.js';

const port = Number(process.env.X_EMULATOR_PORT ?? 4567);
const emulator = await startXEmulator({
  port,
  host: '127.0.0.1',
  onTweet: (tweet) => {
    const extras = [
      tweet.media ? `${tweet.media.length} image(s)` : '',
      tweet.replyToId ? `reply to ${tweet.replyToId}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    console.log(
      `[x-emulator] tweet ${tweet.id} by ${tweet.authorId}: ${JSON.stringify(tweet.text)}${extras ? ` (${extras})` : ''}`,
    );
  },
});
console.log(`[x-emulator] listening on ${emulator.url} (controls under ${emulator.url}/_emulator/)`);
console.log(
  `[x-emulator] OAuth app: X_CLIENT_ID=${emulator.oauthClient.clientId} X_CLIENT_SECRET=${emulator.oauthClient.clientSecret ?? ''}`,
);

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
