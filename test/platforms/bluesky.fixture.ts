import type { BlueskyEmulator } from '../../emulators/bluesky/bluesky-emulator.js';
import type { EmulatedPost, PlatformFixture } from './platform-fixture.js';

/** Bluesky for the platform-wide end-to-end tests: each account signs in with its own app password. */
export const blueskyFixture: PlatformFixture<BlueskyEmulator> = {
  platform: 'bluesky',
  threads: true,
  imageRequired: false,
  reportsRateLimitReset: true,
  secretOf: (credentials) => String(credentials.appPassword),
  tooLongText: 'é'.repeat(301),
  env: (emulator) => ({
    BLUESKY_SERVICE_URL: emulator.url,
  }),
  attach: (emulator) => ({
    newCredentials: () => {
      const account = emulator.createAccount();
      return { identifier: account.handle, appPassword: account.appPassword };
    },
    badCredentials: () => ({ identifier: emulator.createAccount().handle, appPassword: 'wron-gapp-pass-word' }),
    revoke: (credentials) => emulator.revoke(String(credentials.appPassword)),
    posts: () =>
      emulator.posts.map((post): EmulatedPost => ({
        id: post.uri,
        text: post.value.text,
        media: post.images.map(({ alt, blob }) => ({ altText: alt, sizeBytes: blob.data.length })),
        ...(post.value.reply ? { replyToId: post.value.reply.parent.uri } : {}),
      })),
    failNextPublish: (fault) => emulator.failNext({ ...fault, route: 'createRecord' }),
    failNextCall: (fault) => emulator.failNext(fault),
    reset: () => emulator.reset(),
  }),
};
