/**
 * Runs the Telegram Bot API emulator on its own: `npx tsx emulators/telegram/main.ts`.
 * Point Herald at it with TELEGRAM_API_BASE_URL=http://127.0.0.1:4571. It starts with one bot that
 * administers one channel (printed below); make more with POST /_emulator/bots and /_emulator/chats.
 */
import { startTelegramEmulator } from './telegram-emulator.js';

const port = Number(process.env.TELEGRAM_EMULATOR_PORT ?? 4571);
const emulator = await startTelegramEmulator({ port, host: '127.0.0.1' });
const bot = emulator.createBot();
const channel = emulator.createChat({ title: 'Herald demo channel', username: 'herald_demo', admins: [bot.token] });
console.log(`[telegram-emulator] listening on ${emulator.url}`);
console.log(`[telegram-emulator] credentials: ${JSON.stringify({ botToken: bot.token, chatId: String(channel.id) })}`);
