/**
 * Runs the Threads API emulator by itself: `npx tsx emulators/threads/main.ts`; create accounts with
 * `POST /_emulator/accounts`.
 * Its port, the variables that point Herald at it and a first account are printed (see ../run-emulator.ts).
 */
import { runEmulatorMain } from '../run-emulator.js';

await runEmulatorMain('threads');
