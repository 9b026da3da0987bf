import { pacing } from '../../pacing/pace.js';
import { definePlatform } from '../platform-definition.js';
import { MastodonProvider } from './mastodon.provider.js';

/** Every account names its own instance, so Mastodon's only settings are its limits. */
export const MASTODON_PLATFORM = definePlatform({
  name: 'mastodon',
  provider: MastodonProvider,
  settings: {
    /**
     * Mastodon's default: 300 API requests per 5 min per account (https://docs.joinmastodon.org/api/rate-limits/);
     * instances may differ. Accounts live on many instances, so there is no app-wide limit.
     */
    pacing: pacing('MASTODON', { account: '300/300', app: 'off' }),
  },
});
