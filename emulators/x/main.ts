/**
 * Runs the X emulator by itself: `npx tsx emulators/x/main.ts`. Get tokens for more accounts with
 * `POST /_emulator/tokens`; drive failures through /_emulator/*.
 * Its port, the variables that point Herald at it and a first account are printed (see ../run-emulator.ts).
 */
import { runEmulatorMain } from '../run-emulator.js';

await runEmulatorMain('x');
