import type { ThreadsEmulator } from '../../emulators/threads/threads-emulator.js';
import type { PlatformFixture } from './platform-fixture.js';

/**
 * Threads for the platform-wide end-to-end tests. Images reach the emulator the way they reach Threads:
 * it downloads each `image_url` (Herald's public media link) when the container is created.
 */
export const threadsFixture: PlatformFixture<ThreadsEmulator> = {
  platform: 'threads',
  threads: true,
  imageRequired: false,
  reportsRateLimitReset: false,
  secretOf: (credentials) => String(credentials.accessToken),
  // 126 emoji: 126 graphemes, but 504 of Threads' characters (an emoji counts its UTF-8 bytes).
  tooLongText: '😀'.repeat(126),
  env: (emulator) => ({
    THREADS_API_BASE_URL: emulator.url,
    THREADS_OAUTH_BASE_URL: emulator.url,
    THREADS_APP_ID: emulator.app.id,
    THREADS_APP_SECRET: emulator.app.secret,
  }),
  attach(emulator) {
    return {
      newCredentials: () => {
        const { user, token } = emulator.createAccount();
        return { userId: user.id, accessToken: token.value, expiresAt: token.expiresAt.toISOString() };
      },
      badCredentials: () => ({ userId: '1', accessToken: 'THnot-a-token-threads-issued' }),
      // Revoking ends the whole grant, so this holds after Herald refreshed the token too.
      revoke: (credentials) => emulator.revokeToken(String(credentials.accessToken)),
      posts: () =>
        emulator.posts.map((post) => ({
          id: post.id,
          text: post.text ?? '',
          media: post.images.map((image) => ({ altText: image.altText ?? '', sizeBytes: image.bytes.length })),
          ...(post.replyToId ? { replyToId: post.replyToId } : {}),
        })),
      // threads_publish is the call that makes the post appear (container creation only prepares it).
      failNextPublish: (fault) => emulator.failNext({ ...fault, route: 'publish' }),
      failNextCall: (fault) => emulator.failNext(fault),
      reset: () => emulator.reset(),
    };
  },
};
