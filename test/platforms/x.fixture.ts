import type { RecordedTweet, XEmulator } from '../../emulators/x/x-emulator.js';
import type { EmulatedPost, PlatformFixture } from './platform-fixture.js';

/** X for the platform-wide end-to-end tests: the X emulator, with OAuth tokens that renew. */
export const xFixture: PlatformFixture<XEmulator> = {
  platform: 'x',
  threads: true,
  imageRequired: false,
  reportsRateLimitReset: true,
  secretOf: (credentials) => String(credentials.accessToken),
  tooLongText: '字'.repeat(141), // CJK counts 2: 282 weighted characters
  env: (emulator) => ({
    X_API_BASE_URL: emulator.url,
    X_OAUTH_BASE_URL: emulator.url,
    X_CLIENT_ID: emulator.oauthClient.clientId,
    X_CLIENT_SECRET: emulator.oauthClient.clientSecret ?? '',
  }),
  attach(emulator) {
    return {
      newCredentials: () => ({ ...emulator.mintTokens() }),
      badCredentials: () => {
        const revoked = emulator.mintTokens();
        emulator.revokeToken(revoked.accessToken);
        return { ...revoked };
      },
      // Any token of a grant ends all of it, so this holds after Herald renewed the tokens too.
      revoke: (credentials) => emulator.revokeToken(String(credentials.accessToken)),
      posts: () => emulator.tweets.map(toEmulatedPost),
      failNextPublish: (fault) => emulator.failNext({ ...fault, endpoint: 'createTweet' }),
      failNextCall: (fault) => emulator.failNext(fault),
      reset: () => emulator.reset(),
    };
  },
};

function toEmulatedPost(tweet: RecordedTweet): EmulatedPost {
  return {
    id: tweet.id,
    text: tweet.text,
    media: (tweet.media ?? []).map((item) => ({ altText: item.altText ?? '', sizeBytes: item.data.length })),
    ...(tweet.replyToId ? { replyToId: tweet.replyToId } : {}),
  };
}
