import { META_APP } from '../meta-graph/meta-app.setting.js';
import { baseUrl, definePlatform } from '../platform-definition.js';
import { FacebookProvider } from './facebook.provider.js';

export const FACEBOOK_PLATFORM = definePlatform({
  name: 'facebook',
  provider: FacebookProvider,
  settings: { apiBaseUrl: baseUrl('FACEBOOK_API_BASE_URL', 'https://graph.facebook.com'), oauth: META_APP },
});
