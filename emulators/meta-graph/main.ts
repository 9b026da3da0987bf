/**
 * Runs the Meta Graph API emulator (Facebook Pages, Instagram, Facebook Login) by itself:
 * `npx tsx emulators/meta-graph/main.ts`; create Pages and drive failures through /_emulator/*.
 * Its port, the variables that point Herald at it and a first account are printed (see ../run-emulator.ts).
 */
import { runEmulatorMain } from '../run-emulator.js';

await runEmulatorMain('meta-graph');
