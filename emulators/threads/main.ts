/**
 * Runs the Threads API emulator on its own: `npx tsx emulators/threads/main.ts`.
 * Point Herald at it with THREADS_API_BASE_URL and THREADS_OAUTH_BASE_URL=http://127.0.0.1:4571 (and the
 * app id and secret it prints); create accounts with `POST /_emulator/accounts`.
 */
import { startThreadsEmulator } from './threads-emulator.js';

const port = Number(process.env.THREADS_EMULATOR_PORT ?? 4571);
const emulator = await startThreadsEmulator({
  port,
  host: '127.0.0.1',
  onPost: (post) =>
    console.log(
      `[threads-emulator] ${post.replyToId ? `reply to ${post.replyToId}` : 'post'} ${post.id} by @${post.username}: ` +
        `${JSON.stringify(post.text ?? '')} (${post.images.length} images)`,
    ),
});
console.log(`[threads-emulator] listening on ${emulator.url} (controls under ${emulator.url}/_emulator/)`);
console.log(`[threads-emulator] THREADS_APP_ID=${emulator.app.id} THREADS_APP_SECRET=${emulator.app.secret}`);

const stop = () =>
  void emulator.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('[threads-emulator] could not close cleanly:', error);
      process.exit(1);
    },
  );
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
