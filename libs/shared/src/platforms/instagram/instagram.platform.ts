import { META_APP } from '../meta-graph/meta-app.setting.js';
import { baseUrl, definePlatform } from '../platform-definition.js';
import { InstagramProvider } from './instagram.provider.js';

export const INSTAGRAM_PLATFORM = definePlatform({
  name: 'instagram',
  provider: InstagramProvider,
  settings: { apiBaseUrl: baseUrl('INSTAGRAM_API_BASE_URL', 'https://graph.facebook.com'), oauth: META_APP },
});
