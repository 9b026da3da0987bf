/**
 * Runs the LinkedIn emulator by itself: `npx tsx emulators/linkedin/main.ts`; drive failures through
 * /_emulator/*.
 * Its port, the variables that point Herald at it and a first account are printed (see ../run-emulator.ts).
 */
import { runEmulatorMain } from '../run-emulator.js';

await runEmulatorMain('linkedin');
