/**
 * Runs the Telegram Bot API emulator by itself: `npx tsx emulators/telegram/main.ts`. Make more bots and
 * channels with POST /_emulator/bots and /_emulator/chats.
 * Its port, the variables that point Herald at it and a first account are printed (see ../run-emulator.ts).
 */
import { runEmulatorMain } from '../run-emulator.js';

await runEmulatorMain('telegram');
