import { baseUrl, definePlatform, oauthClient, text } from '../platform-definition.js';
import { LinkedInProvider } from './linkedin.provider.js';

export const LINKEDIN_PLATFORM = definePlatform({
  name: 'linkedin',
  provider: LinkedInProvider,
  settings: {
    apiBaseUrl: baseUrl('LINKEDIN_API_BASE_URL', 'https://api.linkedin.com'),
    /** LinkedIn's authorization server serves both the authorize page and the token endpoint. */
    oauth: oauthClient(
      text('LINKEDIN_CLIENT_ID'),
      text('LINKEDIN_CLIENT_SECRET'),
      baseUrl('LINKEDIN_OAUTH_BASE_URL', 'https://www.linkedin.com'),
    ),
  },
});
