import { pacing } from '../../pacing/pace.js';
import { META_APP } from '../meta-graph/meta-app.setting.js';
import { baseUrl, definePlatform } from '../platform-definition.js';
import { InstagramProvider } from './instagram.provider.js';

export const INSTAGRAM_PLATFORM = definePlatform({
  name: 'instagram',
  provider: InstagramProvider,
  settings: {
    apiBaseUrl: baseUrl('INSTAGRAM_API_BASE_URL', 'https://graph.facebook.com'),
    oauth: META_APP,
    /**
     * 100 API-published posts per account in a moving 24 h (carousels count once)
     * (https://developers.facebook.com/docs/instagram-platform/content-publishing). The app's call
     * budget scales with its users, so no fixed app-wide limit.
     */
    pacing: pacing('INSTAGRAM', { account: '100/86400', app: 'off' }),
  },
});
