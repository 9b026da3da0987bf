/**
 * Runs the Bluesky (PDS) emulator by itself: `npx tsx emulators/bluesky/main.ts`. Create accounts with
 * `POST /_emulator/accounts` and drive failures through the other /_emulator/* controls.
 * Its port, the variables that point Herald at it and a first account are printed (see ../run-emulator.ts).
 */
import { runEmulatorMain } from '../run-emulator.js';

await runEmulatorMain('bluesky');
