import { pacing } from '../../pacing/pace.js';
import { baseUrl, definePlatform } from '../platform-definition.js';
import { TelegramProvider } from './telegram.provider.js';

export const TELEGRAM_PLATFORM = definePlatform({
  name: 'telegram',
  provider: TelegramProvider,
  settings: {
    apiBaseUrl: baseUrl('TELEGRAM_API_BASE_URL', 'https://api.telegram.org'),
    /**
     * A bot may send no more than 20 messages per minute to one group or channel
     * (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this). Each account
     * is its own bot, so there is no app-wide limit.
     */
    pacing: pacing('TELEGRAM', { account: '20/60', app: 'off' }),
  },
});
