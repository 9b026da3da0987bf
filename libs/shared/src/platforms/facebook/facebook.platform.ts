import { pacing } from '../../pacing/pace.js';
import { META_APP } from '../meta-graph/meta-app.setting.js';
import { baseUrl, definePlatform } from '../platform-definition.js';
import { FacebookProvider } from './facebook.provider.js';

export const FACEBOOK_PLATFORM = definePlatform({
  name: 'facebook',
  provider: FacebookProvider,
  settings: {
    apiBaseUrl: baseUrl('FACEBOOK_API_BASE_URL', 'https://graph.facebook.com'),
    oauth: META_APP,
    /**
     * Pages have no fixed publishing count: the Graph API's Page limit scales with the Page's engaged
     * users (https://developers.facebook.com/docs/graph-api/overview/rate-limiting), so no default
     * would never delay a post the platform accepts. Its 429s (codes 4, 17, 32, 613) pause the account.
     */
    pacing: pacing('FACEBOOK', { account: 'off', app: 'off' }),
  },
});
