import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

/** Small, valid images for tests (2×2, made with ImageMagick), and a PNG maker for any size. */
export const SAMPLE_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/' +
    '2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wAARCAACAAIDAREAAhEBAxEB/8QAFAAB' +
    'AAAAAAAAAAAAAAAAAAAAB//EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAVAQEBAAAAAAAAAAAAAAAAAAAHCP/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhED' +
    'EQA/AC9UAkf/2Q==',
  'base64',
);
export const SAMPLE_GIF = Buffer.from('R0lGODlhAgACAPAAADNmzAAAACH5BAAAAAAALAAAAAACAAIAAAIChFEAOw==', 'base64');
export const SAMPLE_WEBP = Buffer.from('UklGRh4AAABXRUJQVlA4TBEAAAAvAUAAAAdQs86Uuf+BiOh/AAA=', 'base64');

/** A fresh copy of the JPEG (every platform accepts JPEG), for a test that may change its bytes. */
export const tinyJpeg = (): Buffer => Buffer.from(SAMPLE_JPEG);

/**
 * A truecolour PNG. `noise` fills it with random pixels, which do not compress: the file is then
 * a little over width × height × 3 bytes, for tests about size limits.
 */
export function pngImage(width = 1, height = 1, fill: 'solid' | 'noise' = 'solid'): Buffer {
  const row = width * 3 + 1;
  const pixels = fill === 'noise' ? randomBytes(row * height) : Buffer.alloc(row * height, 0x66);
  for (let y = 0; y < height; y += 1) pixels[y * row] = 0; // filter type "none" before each row
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, standard filters, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG padded with trailing bytes to exactly `size` (decoders ignore what follows IEND). */
export function pngOfSize(size: number): Buffer {
  const png = pngImage(2, 2);
  return Buffer.concat([png, Buffer.alloc(size - png.length)]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, checksum]);
}
