/**
 * Runs the Mastodon emulator by itself: `npx tsx emulators/mastodon/main.ts`. More accounts come from
 * `POST /_emulator/accounts`; Herald reaches a loopback instance only with PRIVATE_NETWORK_ALLOWLIST=127.0.0.1.
 * Its port, the variables that point Herald at it and a first account are printed (see ../run-emulator.ts).
 */
import { runEmulatorMain } from '../run-emulator.js';

await runEmulatorMain('mastodon');
