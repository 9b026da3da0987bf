import type http from 'node:http';
import { type ITwitterApiClientPlugin, TwitterApi } from 'twitter-api-v2';
import type { OAuthClientSettings } from '../platform-definition.js';
import { trustedAgents } from '../../net/outbound-agents.js';

/**
 * twitter-api-v2 clients aimed at X_API_BASE_URL, with Herald's timeout. The library hard-codes
 * https://api.x.com; a plugin rewrites each request's URL to the configured base (an emulator, a proxy).
 */
export class XApiClients {
  private readonly plugin: ITwitterApiClientPlugin;
  private readonly agent: http.Agent;

  constructor(apiBaseUrl: string, timeoutMs: number) {
    const base = new URL(apiBaseUrl);
    const prefix = base.pathname.replace(/\/+$/, '');
    // twitter-api-v2 always calls https.request. Node lets https.request speak plain HTTP when it is
    // given an http.Agent (the agent decides the protocol), which is how an http:// emulator is reached.
    const agents = trustedAgents();
    this.agent = base.protocol === 'http:' ? agents.httpAgent : agents.httpsAgent;

    this.plugin = {
      onBeforeRequestConfig: ({ params }) => {
        params.timeout = timeoutMs;
      },
      onBeforeRequest: ({ computedParams }) => {
        const url = computedParams.url;
        url.protocol = base.protocol;
        url.hostname = base.hostname;
        url.port = base.port;
        if (prefix) url.pathname = prefix + url.pathname;
      },
    };
  }

  /** Acts for the user whose OAuth 2.0 access token this is. */
  forUser(accessToken: string): TwitterApi {
    return new TwitterApi(accessToken, this.settings());
  }

  /** Acts as Herald's app (token endpoint): HTTP Basic with the client id and secret when there is a secret. */
  forApp(app: OAuthClientSettings): TwitterApi {
    return new TwitterApi({ clientId: app.clientId, clientSecret: app.clientSecret || undefined }, this.settings());
  }

  private settings() {
    return { plugins: [this.plugin], httpAgent: this.agent };
  }
}
