import { baseUrl, definePlatform } from '../platform-definition.js';
import { TelegramProvider } from './telegram.provider.js';

export const TELEGRAM_PLATFORM = definePlatform({
  name: 'telegram',
  provider: TelegramProvider,
  settings: { apiBaseUrl: baseUrl('TELEGRAM_API_BASE_URL', 'https://api.telegram.org') },
});
