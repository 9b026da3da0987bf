/**
 * Runs the LinkedIn emulator on its own: `npx tsx emulators/linkedin/main.ts`.
 * Point Herald at it with LINKEDIN_API_BASE_URL and LINKEDIN_OAUTH_BASE_URL=http://127.0.0.1:4569 and
 * LINKEDIN_CLIENT_ID/LINKEDIN_CLIENT_SECRET as printed; drive failures through /_emulator/*.
 */
import { startLinkedInEmulator } from './linkedin-emulator.js';

const port = Number(process.env.LINKEDIN_EMULATOR_PORT ?? 4569);
const emulator = await startLinkedInEmulator({ port, host: '127.0.0.1' });
const { clientId, clientSecret } = emulator.oauthClient;
console.log(`[linkedin-emulator] listening on ${emulator.url} (controls under ${emulator.url}/_emulator/)`);
console.log(`[linkedin-emulator] OAuth app: LINKEDIN_CLIENT_ID=${clientId} LINKEDIN_CLIENT_SECRET=${clientSecret}`);

const stop = () =>
  void emulator.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('[linkedin-emulator] could not close cleanly:', error);
      process.exit(1);
    },
  );
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
