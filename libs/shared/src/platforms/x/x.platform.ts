import { baseUrl, definePlatform, oauthClient, text } from '../platform-definition.js';
import { XProvider } from './x.provider.js';

export const X_PLATFORM = definePlatform({
  name: 'x',
  provider: XProvider,
  settings: {
    apiBaseUrl: baseUrl('X_API_BASE_URL', 'https://api.x.com'),
    /** X's authorize page lives on x.com (x.com/i/oauth2/authorize); tokens come from the API host. */
    oauth: oauthClient(text('X_CLIENT_ID'), text('X_CLIENT_SECRET'), baseUrl('X_OAUTH_BASE_URL', 'https://x.com')),
  },
});
