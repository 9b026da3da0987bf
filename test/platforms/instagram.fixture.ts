import type { MetaGraphEmulator } from '../../emulators/meta-graph/meta-graph-emulator.js';
import type { PlatformFixture } from './platform-fixture.js';

/**
 * Instagram on the Meta Graph emulator: each account is a new Page with a connected Instagram account, used
 * with the Page's token. The emulator downloads each image from Herald's media links (PUBLIC_BASE_URL).
 */
export const instagramFixture: PlatformFixture<MetaGraphEmulator> = {
  platform: 'instagram',
  threads: false,
  imageRequired: true,
  reportsRateLimitReset: true,
  secretOf: (credentials) => String(credentials.accessToken),
  tooLongText: 'x'.repeat(2_201),
  env: (emulator) => ({
    INSTAGRAM_API_BASE_URL: emulator.url,
    FACEBOOK_OAUTH_BASE_URL: emulator.url,
    FACEBOOK_APP_ID: emulator.app.id,
    FACEBOOK_APP_SECRET: emulator.app.secret,
  }),
  attach: (emulator) => ({
    newCredentials: () => {
      const page = emulator.createPage();
      return { instagramUserId: page.instagramUserId!, accessToken: page.accessToken };
    },
    badCredentials: () => ({ instagramUserId: '17841400000099999', accessToken: 'EAAGnotATokenGraphKnows' }),
    revoke: (credentials) => {
      if (typeof credentials.accessToken === 'string') emulator.revokeToken(credentials.accessToken);
    },
    posts: () =>
      emulator.instagramMedia.map((media) => ({
        id: media.id,
        text: media.caption,
        media: media.images.map((image) => ({ altText: image.altText, sizeBytes: image.bytes.length })),
      })),
    // media_publish is the only call that turns a container into a post.
    failNextPublish: (fault) => emulator.failNext({ ...fault, route: 'igPublish' }),
    failNextCall: (fault) => emulator.failNext(fault),
    reset: () => emulator.reset(),
  }),
};
