import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny HTTP server standing in for Herald's public media links, which Threads pulls images from.
 * Serves each file at its path; anything else is a 404.
 */
export interface ImageHost {
  readonly url: string;
  /** Paths requested so far, in order. */
  readonly requested: string[];
  serve(path: string, bytes: Buffer, contentType: string): string;
  close(): Promise<void>;
}

export async function startImageHost(): Promise<ImageHost> {
  const files = new Map<string, { bytes: Buffer; contentType: string }>();
  const requested: string[] = [];
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://image-host.invalid').pathname;
    requested.push(path);
    const file = files.get(path);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.bytes.length) });
    res.end(file.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requested,
    serve: (path, bytes, contentType) => {
      files.set(path, { bytes, contentType });
      return `${url}${path}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
