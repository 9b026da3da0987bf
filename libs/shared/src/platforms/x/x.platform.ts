import { pacing } from '../../pacing/pace.js';
import { baseUrl, definePlatform, oauthClient, text } from '../platform-definition.js';
import { XProvider } from './x.provider.js';

export const X_PLATFORM = definePlatform({
  name: 'x',
  provider: XProvider,
  settings: {
    apiBaseUrl: baseUrl('X_API_BASE_URL', 'https://api.x.com'),
    /** X's authorize page lives on x.com (x.com/i/oauth2/authorize); tokens come from the API host. */
    oauth: oauthClient(text('X_CLIENT_ID'), text('X_CLIENT_SECRET'), baseUrl('X_OAUTH_BASE_URL', 'https://x.com')),
    /**
     * POST /2/tweets, at the most generous self-serve access level (Pro): 100 per 15 min per user and
     * 10,000 per 24 h per app (https://docs.x.com/x-api/fundamentals/rate-limits). Lower levels get
     * 429s, handled as rate limits; Enterprise raises X_APP_PACE.
     */
    pacing: pacing('X', { account: '100/900', app: '10000/86400' }),
  },
});
