/**
 * A browser as far as redirects and cookies go: keeps each site's cookies (by origin, which is enough on
 * loopback hosts) and sends them back, and never follows a redirect by itself, so a test sees each hop.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  async get(url: string | URL): Promise<Response> {
    return this.request(url, { method: 'GET' });
  }

  async postForm(url: string | URL, form: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** The value of a cookie the browser holds for `origin`. */
  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(new URL(origin).origin)?.get(name);
  }

  setCookie(origin: string, name: string, value: string): void {
    this.cookiesOf(new URL(origin).origin).set(name, value);
  }

  /** Where a redirect response points, resolved against the URL it answered. */
  static locationOf(response: Response, from: string | URL): URL {
    const location = response.headers.get('location');
    if (!location) throw new Error(`expected a redirect from ${String(from)}, got ${response.status}`);
    return new URL(location, from);
  }

  private async request(url: string | URL, init: RequestInit): Promise<Response> {
    const origin = new URL(url).origin;
    const cookies = [...this.cookiesOf(origin)].map(([name, value]) => `${name}=${value}`).join('; ');
    const headers = new Headers(init.headers);
    if (cookies) headers.set('cookie', cookies);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.store(origin, line);
    return response;
  }

  private store(origin: string, line: string): void {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator);
    const value = pair.slice(separator + 1);
    const expired = attributes.some((attribute) => {
      const [key, setting = ''] = attribute.split('=');
      if (key.toLowerCase() === 'max-age') return Number(setting) <= 0;
      if (key.toLowerCase() === 'expires') return Date.parse(setting) <= Date.now();
      return false;
    });
    if (expired || value === '') this.cookiesOf(origin).delete(name);
    else this.cookiesOf(origin).set(name, value);
  }

  private cookiesOf(origin: string): Map<string, string> {
    let cookies = this.jar.get(origin);
    if (!cookies) {
      cookies = new Map();
      this.jar.set(origin, cookies);
    }
    return cookies;
  }
}
