/**
 * Runs the Meta Graph API emulator (Facebook Pages, Instagram, Facebook Login) on its own:
 * `npx tsx emulators/meta-graph/main.ts`. Point Herald at it with FACEBOOK_API_BASE_URL, INSTAGRAM_API_BASE_URL
 * and FACEBOOK_OAUTH_BASE_URL=http://127.0.0.1:4571; drive failures and create Pages through /_emulator/*.
 */
import { startMetaGraphEmulator } from './meta-graph-emulator.js';

const port = Number(process.env.META_GRAPH_EMULATOR_PORT ?? 4571);
const emulator = await startMetaGraphEmulator({ port, host: '127.0.0.1' });
const page = emulator.createPage({ name: 'Herald Demo Page', instagramUsername: 'herald.demo' });
console.log(`[meta-graph-emulator] listening on ${emulator.url} (controls under ${emulator.url}/_emulator/)`);
console.log(`[meta-graph-emulator] app: FACEBOOK_APP_ID=${emulator.app.id} FACEBOOK_APP_SECRET=${emulator.app.secret}`);
console.log(
  `[meta-graph-emulator] Facebook credentials: ${JSON.stringify({ pageId: page.pageId, accessToken: page.accessToken })}`,
);
console.log(
  `[meta-graph-emulator] Instagram credentials: ${JSON.stringify({ instagramUserId: page.instagramUserId, accessToken: page.accessToken })}`,
);

const stop = () =>
  void emulator.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('[meta-graph-emulator] could not close cleanly:', error);
      process.exit(1);
    },
  );
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
