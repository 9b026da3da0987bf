import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny HTTP server for the images tests hand to providers: Graph downloads image URLs itself, so the
 * emulator fetches them from here. Each attachment has the shape of Herald's `MediaAttachment`.
 */
export interface TestImage {
  mediaId: string;
  mimeType: string;
  sizeBytes: number;
  altText: string | null;
  read(): Promise<Buffer>;
  publicUrl(): Promise<string>;
}

export interface MediaServer {
  readonly url: string;
  /** An image served at `<url>/media/<mediaId>`; bytes default to a small JPEG-looking file. */
  image(options?: { bytes?: Buffer; mimeType?: string; altText?: string | null }): TestImage;
  /** An image whose URL answers 404, as an unreachable or deleted file does. */
  missingImage(): TestImage;
  close(): Promise<void>;
}

let nextMediaId = 1;

/** Bytes that start like a JPEG file (the emulator sniffs types, it does not decode images). */
export function jpegBytes(size = 2048): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(Math.max(0, size - 4))]);
}

export function pngBytes(size = 2048): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(size - 8)]);
}

export async function startMediaServer(): Promise<MediaServer> {
  const files = new Map<string, { bytes: Buffer; mimeType: string }>();
  const server = http.createServer((req, res) => {
    const file = files.get(req.url ?? '');
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.mimeType, 'content-length': String(file.bytes.length) }).end(file.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const attachment = (bytes: Buffer, mimeType: string, altText: string | null, served: boolean): TestImage => {
    const mediaId = `media-${nextMediaId++}`;
    if (served) files.set(`/media/${mediaId}`, { bytes, mimeType });
    return {
      mediaId,
      mimeType,
      sizeBytes: bytes.length,
      altText,
      read: () => Promise.resolve(bytes),
      publicUrl: () => Promise.resolve(`${url}/media/${mediaId}`),
    };
  };

  return {
    url,
    image: (options = {}) =>
      attachment(options.bytes ?? jpegBytes(), options.mimeType ?? 'image/jpeg', options.altText ?? null, true),
    missingImage: () => attachment(jpegBytes(), 'image/jpeg', null, false),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
