import { pacing } from '../../pacing/pace.js';
import { baseUrl, definePlatform } from '../platform-definition.js';
import { BlueskyProvider } from './bluesky.provider.js';

export const BLUESKY_PLATFORM = definePlatform({
  name: 'bluesky',
  provider: BlueskyProvider,
  /** The AT Protocol service (PDS) Bluesky accounts sign in to. */
  settings: {
    serviceUrl: baseUrl('BLUESKY_SERVICE_URL', 'https://bsky.social'),
    /**
     * At most 1,666 records created per hour per account (5,000 points, 3 per create), and 3,000
     * requests per 5 min per client IP across all routes (https://docs.bsky.app/docs/advanced-guides/rate-limits).
     */
    pacing: pacing('BLUESKY', { account: '1666/3600', app: '3000/300' }),
  },
});
