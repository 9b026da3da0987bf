import { pacing } from '../../pacing/pace.js';
import { baseUrl, definePlatform, oauthClient, text } from '../platform-definition.js';
import { ThreadsProvider } from './threads.provider.js';

export const THREADS_PLATFORM = definePlatform({
  name: 'threads',
  provider: ThreadsProvider,
  settings: {
    apiBaseUrl: baseUrl('THREADS_API_BASE_URL', 'https://graph.threads.net'),
    /** Threads' authorize page lives on threads.net; tokens come from the API host. */
    oauth: oauthClient(
      text('THREADS_APP_ID'),
      text('THREADS_APP_SECRET'),
      baseUrl('THREADS_OAUTH_BASE_URL', 'https://threads.net'),
    ),
    /**
     * 250 API-published posts per profile in a moving 24 h (https://developers.facebook.com/docs/threads/overview);
     * the app's call budget scales with impressions, so no fixed app-wide limit.
     */
    pacing: pacing('THREADS', { account: '250/86400', app: 'off' }),
  },
});
