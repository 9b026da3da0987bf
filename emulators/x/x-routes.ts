import type { EmulatorClock } from '../kit/emulator-clock.js';

/** The X endpoints the emulator serves, and the x-rate-limit-* headers X answers them with. */

export type XEndpoint =
  | 'createTweet'
  | 'me'
  | 'userTweets'
  | 'mediaInitialize'
  | 'mediaAppend'
  | 'mediaFinalize'
  | 'mediaStatus'
  | 'mediaMetadata'
  | 'oauthAuthorize'
  | 'oauthToken';

export const ROUTES: Array<{ endpoint: XEndpoint; method: string; path: RegExp }> = [
  { endpoint: 'createTweet', method: 'POST', path: /^\/2\/tweets$/ },
  { endpoint: 'me', method: 'GET', path: /^\/2\/users\/me$/ },
  { endpoint: 'userTweets', method: 'GET', path: /^\/2\/users\/(?<id>\d+)\/tweets$/ },
  { endpoint: 'mediaInitialize', method: 'POST', path: /^\/2\/media\/upload\/initialize$/ },
  { endpoint: 'mediaAppend', method: 'POST', path: /^\/2\/media\/upload\/(?<id>\d+)\/append$/ },
  { endpoint: 'mediaFinalize', method: 'POST', path: /^\/2\/media\/upload\/(?<id>\d+)\/finalize$/ },
  { endpoint: 'mediaStatus', method: 'GET', path: /^\/2\/media\/upload$/ },
  { endpoint: 'mediaMetadata', method: 'POST', path: /^\/2\/media\/metadata$/ },
  // On x.com in production; the emulator serves it next to the API (point X_OAUTH_BASE_URL at it).
  { endpoint: 'oauthAuthorize', method: 'GET', path: /^\/i\/oauth2\/authorize$/ },
  { endpoint: 'oauthToken', method: 'POST', path: /^\/2\/oauth2\/token$/ },
];

/** Requests per user per 15 minutes, as reported; the emulator never limits on its own (use a 429 fault). */
const LIMITS: Record<XEndpoint, number> = {
  createTweet: 200,
  me: 75,
  userTweets: 900,
  mediaInitialize: 500,
  mediaAppend: 500,
  mediaFinalize: 500,
  mediaStatus: 500,
  mediaMetadata: 500,
  oauthAuthorize: 500,
  oauthToken: 500,
};
const WINDOW_MS = 15 * 60 * 1000;

export class XRateLimits {
  private usage = new Map<string, { windowStart: number; used: number }>();

  constructor(private readonly clock: EmulatorClock) {}

  /** Counts one request of `token` to `endpoint`; the headers X answers it with. */
  use(endpoint: XEndpoint, token: string | undefined): Record<string, string> {
    const key = `${endpoint}:${token ?? ''}`;
    const now = this.clock.now();
    let window = this.usage.get(key);
    if (!window || now - window.windowStart >= WINDOW_MS) {
      window = { windowStart: now, used: 0 };
      this.usage.set(key, window);
    }
    window.used += 1;
    const limit = LIMITS[endpoint];
    return {
      'x-rate-limit-limit': String(limit),
      'x-rate-limit-remaining': String(Math.max(1, limit - window.used)),
      'x-rate-limit-reset': String(Math.ceil((window.windowStart + WINDOW_MS) / 1000)),
    };
  }

  /** The headers of a 429: nothing left until the reset. */
  exhausted(endpoint: XEndpoint, resetInSeconds: number): Record<string, string> {
    return {
      'x-rate-limit-limit': String(LIMITS[endpoint]),
      'x-rate-limit-remaining': '0',
      'x-rate-limit-reset': String(Math.floor(this.clock.now() / 1000) + resetInSeconds),
    };
  }

  reset(): void {
    this.usage = new Map();
  }
}
