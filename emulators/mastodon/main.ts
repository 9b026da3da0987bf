/**
 * Runs the Mastodon emulator on its own: `npx tsx emulators/mastodon/main.ts`.
 * It prints a token for a first account; more come from `POST /_emulator/accounts`. Herald reaches it with
 * credentials `{ instanceUrl: <url>, accessToken: <token> }` and PRIVATE_NETWORK_ALLOWLIST=127.0.0.1.
 */
import { startMastodonEmulator } from './mastodon-emulator.js';

const port = Number(process.env.MASTODON_EMULATOR_PORT ?? 4568);
const emulator = await startMastodonEmulator({
  port,
  host: '127.0.0.1',
  onStatus: (status) => console.log(`[mastodon-emulator] status ${status.id}: ${JSON.stringify(status.text)}`),
});
const { token, account } = emulator.createAccount({ username: 'herald' });
console.log(`[mastodon-emulator] listening on ${emulator.url} (controls under ${emulator.url}/_emulator/)`);
console.log(`[mastodon-emulator] account @${account.username} (id ${account.id}), access token ${token}`);

const stop = () =>
  void emulator.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('[mastodon-emulator] could not close cleanly:', error);
      process.exit(1);
    },
  );
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
