/**
 * Runs the Discord webhook emulator on its own: `npx tsx emulators/discord/main.ts`.
 * Point Herald at it with DISCORD_API_BASE_URL=http://127.0.0.1:4572. It starts with one webhook
 * (printed below); make more with POST /_emulator/webhooks.
 */
import { startDiscordEmulator } from './discord-emulator.js';

const port = Number(process.env.DISCORD_EMULATOR_PORT ?? 4572);
const emulator = await startDiscordEmulator({ port, host: '127.0.0.1' });
const webhook = emulator.createWebhook({ name: 'Herald demo' });
console.log(`[discord-emulator] listening on ${emulator.url}`);
console.log(`[discord-emulator] credentials: ${JSON.stringify({ webhookUrl: webhook.url })}`);
