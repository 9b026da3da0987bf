import { randomUUID } from 'node:crypto';
import type { LinkedInEmulator } from '../../emulators/linkedin/linkedin-emulator.js';
import type { PlatformFixture } from './platform-fixture.js';

/** LinkedIn for the platform-wide end-to-end tests: members posting text and images, no threads. */
export const linkedinFixture: PlatformFixture<LinkedInEmulator> = {
  platform: 'linkedin',
  threads: false,
  imageRequired: false,
  reportsRateLimitReset: false,
  secretOf: (credentials) => String(credentials.accessToken),
  tooLongText: 'a'.repeat(3001),

  env: (emulator) => ({
    LINKEDIN_API_BASE_URL: emulator.url,
    LINKEDIN_OAUTH_BASE_URL: emulator.url,
    LINKEDIN_CLIENT_ID: emulator.oauthClient.clientId,
    LINKEDIN_CLIENT_SECRET: emulator.oauthClient.clientSecret,
  }),
  attach(emulator) {
    const newToken = () => `linkedin-${randomUUID()}`;
    return {
      // Any token nobody issued is a member of its own, so each new token is a different account.
      newCredentials: () => ({ accessToken: newToken() }),
      // Revoked now: a reset() before it is used would make it valid again.
      badCredentials: () => {
        const accessToken = newToken();
        emulator.revokeToken(accessToken);
        return { accessToken };
      },
      revoke: (credentials) => {
        for (const token of [credentials.accessToken, credentials.refreshToken]) {
          if (typeof token === 'string') emulator.revokeToken(token);
        }
      },
      posts: () =>
        emulator.posts.map((post) => ({
          id: post.id,
          text: post.text,
          media: post.images.map((image) => ({ altText: image.altText, sizeBytes: image.data.length })),
        })),
      failNextPublish: (fault) => emulator.failNext({ ...fault, route: 'createPost' }),
      failNextCall: (fault) => emulator.failNext(fault),
      reset: () => emulator.reset(),
    };
  },
};
