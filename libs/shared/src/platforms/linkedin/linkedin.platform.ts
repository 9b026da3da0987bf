import { pacing } from '../../pacing/pace.js';
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
    /**
     * Share on LinkedIn: 150 requests per member per day, 100,000 per application per day
     * (https://learn.microsoft.com/linkedin/consumer/integrations/self-serve/share-on-linkedin).
     */
    pacing: pacing('LINKEDIN', { account: '150/86400', app: '100000/86400' }),
  },
});
