import { baseUrl, definePlatform } from '../platform-definition.js';
import { BlueskyProvider } from './bluesky.provider.js';

export const BLUESKY_PLATFORM = definePlatform({
  name: 'bluesky',
  provider: BlueskyProvider,
  /** The AT Protocol service (PDS) Bluesky accounts sign in to. */
  settings: { serviceUrl: baseUrl('BLUESKY_SERVICE_URL', 'https://bsky.social') },
});
