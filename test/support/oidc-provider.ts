import Provider, { type Configuration } from 'oidc-provider';
import type { Server } from 'node:http';
import { Browser } from './browser.js';
import { freePort } from './processes.js';

/** A person the provider knows: the subject and the claims it tells Herald about them. */
export interface OidcAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface OidcProvider {
  /** OIDC_ISSUER_URL for Herald. */
  issuer: string;
  client: { clientId: string; clientSecret: string };
  /** Adds (or replaces) an account people can sign in as. */
  addAccount(account: OidcAccount): void;
  /** Requests its token endpoint answered so far, granted or refused. */
  tokenRequests(): number;
  close(): Promise<void>;
}

const CLIENT = { clientId: 'herald', clientSecret: 'herald-test-client-secret-0123456789' };

/**
 * A real OpenID provider (`oidc-provider`) on a free loopback port, with one client registered for the
 * backend's callback and its development sign-in pages, which accept any password for a known account.
 * Claims asked for by scope come from the userinfo endpoint, as the specification has it for the
 * code flow (the provider's default), so Herald's reading of userinfo is exercised too.
 */
export async function startOidcProvider(options: { redirectUri: string }): Promise<OidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = new Map<string, OidcAccount>();
  const configuration: Configuration = {
    clients: [
      {
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['oidc-provider-test-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    // Set, so the provider does not warn about its defaults on every sign-in.
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    findAccount(_context, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: () => ({ ...account }) };
    },
  };
  const provider = new Provider(issuer, configuration);
  let tokenRequests = 0;
  provider.on('grant.success', () => (tokenRequests += 1));
  provider.on('grant.error', () => (tokenRequests += 1));
  const server: Server = await new Promise((resolve) => {
    const listening = provider.listen(port, '127.0.0.1', () => resolve(listening));
  });
  return {
    issuer,
    client: CLIENT,
    addAccount: (account) => accounts.set(account.sub, account),
    tokenRequests: () => tokenRequests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Plays the person at the provider: from Herald's redirect to the authorize page, signs in as `sub`
 * (the development login takes any password) and consents, or cancels on the sign-in page when `sub`
 * is null, following each redirect until the provider sends the browser back to `redirectUri`.
 * Returns that callback URL, not yet visited.
 */
export async function signInAtProvider(
  browser: Browser,
  authorizeUrl: URL,
  sub: string | null,
  redirectUri: string,
): Promise<URL> {
  let url = authorizeUrl;
  for (let hop = 0; hop < 20; hop += 1) {
    if (url.href.startsWith(`${redirectUri}?`)) return url;
    const response = await browser.get(url);
    if (response.status >= 300 && response.status < 400) {
      url = Browser.locationOf(response, url);
      continue;
    }
    const page = await response.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    if (response.status !== 200 || !prompt)
      throw new Error(`unexpected page at ${url.href} (${response.status}): ${page}`);
    const answered =
      sub === null
        ? await browser.get(new URL(`${url.pathname}/abort`, url))
        : await browser.postForm(url, prompt === 'login' ? { prompt, login: sub, password: 'any' } : { prompt });
    url = Browser.locationOf(answered, url);
  }
  throw new Error(`the provider never sent the browser back to ${redirectUri}`);
}
