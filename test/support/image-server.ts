import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ImageServer {
  url: string;
  /** Every path requested, in order. */
  hits: string[];
  close(): Promise<void>;
}

/** Serves `image` at `/photo.jpg` on 127.0.0.1: a stand-in for an image host on the internet. */
export async function startImageServer(image: Buffer): Promise<ImageServer> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '/');
    if (req.url === '/photo.jpg') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(image);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
