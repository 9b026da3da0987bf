import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import { loadEnvironment } from '../config/environment.js';
import { MediaProblem } from './media-problem.js';
import { MAX_REDIRECTS, RemoteMediaFetcher } from './remote-media-fetcher.js';
import { pngImage, SAMPLE_JPEG } from '../../../../test/support/images.js';

const MAX_BYTES = 8 * 1024;
const TIMEOUT_MS = 1000;
/** Far more than socket buffers hold, so the server can only send it all to a client that keeps reading. */
const ENDLESS_BYTES = 256 * 1024 * 1024;

const fetcherFor = (allowlist: string) =>
  new RemoteMediaFetcher(
    new AppConfig(
      loadEnvironment({
        ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
        ADMIN_TOKEN: 'x'.repeat(20),
        PRIVATE_NETWORK_ALLOWLIST: allowlist,
        MEDIA_MAX_BYTES: String(MAX_BYTES),
        PLATFORM_TIMEOUT_MS: String(TIMEOUT_MS),
      }),
    ),
  );

interface TestServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

async function serve(host: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('RemoteMediaFetcher', () => {
  const png = pngImage(4, 3);
  let origin: TestServer;
  /** Loopback too, but not on the allowlist (127.0.0.1 only): stands for a private address. */
  let privateHost: TestServer;
  let allowLoopback: RemoteMediaFetcher;
  /** What the server of `/endless` saw: how much it sent, and when the client hung up. */
  let cutOff: { sent: number; closed: Promise<void> };

  beforeAll(async () => {
    privateHost = await serve('127.0.0.2', (_, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
    origin = await serve('127.0.0.1', (req, res) => {
      const path = req.url ?? '/';
      const hops = /^\/hops\/(\d+)$/.exec(path);
      if (path === '/image.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      if (path === '/photo') return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(SAMPLE_JPEG);
      if (path === '/page') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>Hi</p>');
      if (hops) {
        const left = Number(hops[1]);
        return res.writeHead(302, { location: left === 0 ? '/image.png' : `/hops/${left - 1}` }).end();
      }
      if (path === '/to-private') return res.writeHead(301, { location: `${privateHost.url}/image.png` }).end();
      if (path === '/to-ftp') return res.writeHead(302, { location: 'ftp://127.0.0.1/image.png' }).end();
      if (path === '/to-credentials')
        return res.writeHead(307, { location: `${origin.url.replace('//', '//u:p@')}/x` }).end();
      if (path === '/declared-huge') return res.writeHead(200, { 'content-length': String(MAX_BYTES + 1) }).end();
      if (path === '/endless') {
        // No Content-Length: chunked, and more than the limit unless the client hangs up.
        cutOff = { sent: 0, closed: new Promise((resolve) => res.once('close', () => resolve())) };
        res.writeHead(200, { 'content-type': 'image/png' });
        const pump = () => {
          while (!res.destroyed && cutOff.sent < ENDLESS_BYTES) {
            cutOff.sent += 64 * 1024;
            if (!res.write(Buffer.alloc(64 * 1024, 1))) return void res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      if (path === '/silent') return; // never answers
      res.writeHead(404).end('Not found');
    });
    allowLoopback = fetcherFor('127.0.0.1');
  });

  afterAll(async () => {
    allowLoopback?.onModuleDestroy();
    await origin?.close();
    await privateHost?.close();
  });

  const problemOf = async (url: string, fetcher = allowLoopback): Promise<string> => {
    const error = await fetcher.fetch(url).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(MediaProblem);
    return (error as MediaProblem).message;
  };

  it('downloads an image from an allowed address, typed by its bytes', async () => {
    expect(await allowLoopback.fetch(`${origin.url}/image.png`)).toMatchObject({ bytes: png, mimeType: 'image/png' });
    expect(await allowLoopback.fetch(`${origin.url}/photo`)).toMatchObject({ mimeType: 'image/jpeg' });
  });

  it('refuses loopback, private and metadata addresses unless allowlisted', async () => {
    const guarded = fetcherFor('');
    try {
      expect(await problemOf(`${origin.url}/image.png`, guarded)).toBe(
        'resolves to a private or reserved network address, which Herald does not fetch (SSRF protection)',
      );
      expect(await problemOf('http://169.254.169.254/latest/meta-data/', guarded)).toMatch(/SSRF protection/);
      expect(await problemOf('http://169.254.169.254/latest/meta-data/')).toMatch(/SSRF protection/);
      expect(await problemOf('http://[::1]/image.png')).toMatch(/SSRF protection/);
      expect(await problemOf('http://localhost:1/image.png', guarded)).toMatch(/SSRF protection/);
    } finally {
      guarded.onModuleDestroy();
    }
  });

  it('ignores proxy variables: the guard checks the target, not an allowed proxy', async () => {
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    // The allowed origin as proxy: through it, a request for the private host would pass the guard.
    process.env.HTTP_PROXY = origin.url;
    process.env.NO_PROXY = '';
    try {
      expect(await problemOf(`${privateHost.url}/image.png`)).toMatch(/SSRF protection/);
      expect(origin.requests.filter((url) => url.includes(privateHost.url))).toEqual([]);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('checks every redirect hop: an allowed host cannot lead to a private one', async () => {
    expect(await problemOf(`${origin.url}/to-private`)).toBe(
      'redirects to a private or reserved network address, which Herald does not fetch (SSRF protection)',
    );
    expect(privateHost.requests).toEqual([]);
  });

  it(`follows at most ${MAX_REDIRECTS} redirects`, async () => {
    expect(await allowLoopback.fetch(`${origin.url}/hops/${MAX_REDIRECTS - 1}`)).toMatchObject({
      mimeType: 'image/png',
    });
    expect(await problemOf(`${origin.url}/hops/${MAX_REDIRECTS}`)).toBe(`redirects more than ${MAX_REDIRECTS} times`);
  });

  it('accepts only http and https URLs without credentials, on every hop', async () => {
    expect(await problemOf('file:///etc/passwd')).toBe('is a file URL; Herald only fetches http and https');
    expect(await problemOf('not a url')).toBe('is not a valid URL');
    expect(await problemOf(`${origin.url.replace('//', '//user:secret@')}/image.png`)).toBe(
      'is a URL with credentials in it, which Herald does not send',
    );
    expect(await problemOf(`${origin.url}/to-ftp`)).toBe('redirects to a ftp URL; Herald only fetches http and https');
    expect(await problemOf(`${origin.url}/to-credentials`)).toBe(
      'redirects to a URL with credentials in it, which Herald does not send',
    );
  });

  it('says what the server answered when it is not an image', async () => {
    expect(await problemOf(`${origin.url}/missing`)).toBe('could not download: the server answered 404 Not Found');
    expect(await problemOf(`${origin.url}/page`)).toMatch(/^is text\/html, not an image/);
    expect(await problemOf('http://127.0.0.1:1/image.png')).toBe(
      'could not download: 127.0.0.1:1 refused the connection',
    );
  });

  it('stops reading past MEDIA_MAX_BYTES, whether or not the size was announced', async () => {
    expect(await problemOf(`${origin.url}/declared-huge`)).toMatch(/^is larger than the 8 KB Herald accepts/);
    expect(await problemOf(`${origin.url}/endless`)).toMatch(/^is larger than the 8 KB Herald accepts/);
    // The server sees the hang-up (or the test times out): the fetcher let go of the connection.
    await cutOff.closed;
    expect(cutOff.sent).toBeLessThan(ENDLESS_BYTES);
  });

  it('gives up on a server that does not answer in time', async () => {
    expect(await problemOf(`${origin.url}/silent`)).toBe(
      `could not download: no complete answer within ${TIMEOUT_MS / 1000} s`,
    );
  });
});
