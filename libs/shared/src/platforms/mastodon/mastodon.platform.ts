import { definePlatform } from '../platform-definition.js';
import { MastodonProvider } from './mastodon.provider.js';

/** Every account names its own instance, so Mastodon has no settings of its own. */
export const MASTODON_PLATFORM = definePlatform({ name: 'mastodon', provider: MastodonProvider, settings: {} });
