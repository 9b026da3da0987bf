import type { MetaGraphEmulator } from '../../emulators/meta-graph/meta-graph-emulator.js';
import type { PlatformFixture } from './platform-fixture.js';

/** Facebook Pages on the Meta Graph emulator: each account is a new Page with its Page token. */
export const facebookFixture: PlatformFixture<MetaGraphEmulator> = {
  platform: 'facebook',
  threads: false,
  imageRequired: false,
  reportsRateLimitReset: true,
  secretOf: (credentials) => String(credentials.accessToken),
  tooLongText: 'x'.repeat(63_207),
  env: (emulator) => ({
    FACEBOOK_API_BASE_URL: emulator.url,
    FACEBOOK_OAUTH_BASE_URL: emulator.url,
    FACEBOOK_APP_ID: emulator.app.id,
    FACEBOOK_APP_SECRET: emulator.app.secret,
  }),
  attach: (emulator) => ({
    newCredentials: () => {
      const page = emulator.createPage({ instagramUsername: false });
      return { pageId: page.pageId, accessToken: page.accessToken };
    },
    badCredentials: () => ({ pageId: '100000000099999', accessToken: 'EAAGnotATokenGraphKnows' }),
    revoke: (credentials) => {
      if (typeof credentials.accessToken === 'string') emulator.revokeToken(credentials.accessToken);
    },
    posts: () =>
      emulator.facebookPosts.map((post) => ({
        id: post.id,
        text: post.message,
        media: post.photos.map((photo) => ({ altText: photo.altText, sizeBytes: photo.bytes.length })),
      })),
    // Both edges that create Page posts (`/feed`, `/photos`) are this one route.
    failNextPublish: (fault) => emulator.failNext({ ...fault, route: 'pagePost' }),
    failNextCall: (fault) => emulator.failNext(fault),
    reset: () => emulator.reset(),
  }),
};
