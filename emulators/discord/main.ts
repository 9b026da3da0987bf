/**
 * Runs the Discord webhook emulator by itself: `npx tsx emulators/discord/main.ts`. Make more webhooks
 * with POST /_emulator/webhooks.
 * Its port, the variables that point Herald at it and a first account are printed (see ../run-emulator.ts).
 */
import { runEmulatorMain } from '../run-emulator.js';

await runEmulatorMain('discord');
