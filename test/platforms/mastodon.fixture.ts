import type { MastodonEmulator } from '../../emulators/mastodon/mastodon-emulator.js';
import type { PlatformFixture } from './platform-fixture.js';

/** Mastodon through an emulated instance on loopback: each account is a new user of that instance. */
export const mastodonFixture: PlatformFixture<MastodonEmulator> = {
  platform: 'mastodon',
  threads: true,
  imageRequired: false,
  reportsRateLimitReset: true,
  secretOf: (credentials) => String(credentials.accessToken),
  tooLongText: 'a'.repeat(501),
  // The instance URL comes with the credentials; Herald may only reach a loopback instance when allowed.
  env: () => ({ PRIVATE_NETWORK_ALLOWLIST: '127.0.0.1' }),
  attach(emulator) {
    return {
      newCredentials: () => ({ instanceUrl: emulator.url, accessToken: emulator.createAccount().token }),
      // No account has this token: the instance answers 401 "The access token is invalid".
      badCredentials: () => ({ instanceUrl: emulator.url, accessToken: 'not-a-token-of-this-instance' }),
      revoke: (credentials) => emulator.revokeToken(String(credentials.accessToken)),
      posts: () =>
        emulator.statuses.map((status) => ({
          id: status.id,
          text: status.text,
          media: status.media.map((item) => ({ altText: item.description ?? '', sizeBytes: item.data.length })),
          ...(status.inReplyToId ? { replyToId: status.inReplyToId } : {}),
        })),
      failNextPublish: (fault) => emulator.failNext({ ...fault, route: 'createStatus' }),
      failNextCall: (fault) => emulator.failNext(fault),
      reset: () => emulator.reset(),
    };
  },
};
