import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { inspectImage } from './image-inspection.js';
import { MediaProblem } from './media-problem.js';
import { pngImage, SAMPLE_GIF, SAMPLE_JPEG, SAMPLE_WEBP } from '../../../../test/support/images.js';

const MAX = 64 * 1024;

async function problemOf(bytes: Buffer, maxBytes = MAX): Promise<string> {
  const error = await inspectImage(bytes, maxBytes).then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(MediaProblem);
  return (error as MediaProblem).message;
}

describe('inspectImage', () => {
  it.each([
    ['image/png', pngImage(3, 2)],
    ['image/jpeg', SAMPLE_JPEG],
    ['image/gif', SAMPLE_GIF],
    ['image/webp', SAMPLE_WEBP],
  ])('reads %s from the bytes, with their size and SHA-256', async (mimeType, bytes) => {
    const image = await inspectImage(bytes, MAX);
    expect(image).toEqual({
      bytes,
      mimeType,
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('names what a file is when it is not an accepted image', async () => {
    expect(await problemOf(Buffer.from('just some notes\n'))).toBe(
      'is text/plain, not an image (accepted: image/jpeg, image/png, image/gif, image/webp)',
    );
    expect(await problemOf(Buffer.from('\n <!DOCTYPE html><html><body>Not found</body></html>'))).toMatch(
      /^is text\/html, not an image/,
    );
    expect(await problemOf(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toMatch(
      /^is image\/svg\+xml, not an image/,
    );
    expect(await problemOf(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n', 'latin1'))).toMatch(
      /^is application\/pdf, not an image/,
    );
    expect(await problemOf(Buffer.from([0x00, 0x13, 0x37, 0xfe, 0xff, 0x00, 0x42]))).toMatch(
      /^is an unrecognised file type, not an image/,
    );
  });

  it('refuses an empty file and one over the limit, at the exact byte', async () => {
    expect(await problemOf(Buffer.alloc(0))).toBe('is empty');
    const png = pngImage(20, 20, 'noise');
    await expect(inspectImage(png, png.length)).resolves.toMatchObject({ sizeBytes: png.length });
    expect(await problemOf(png, png.length - 1)).toMatch(/^is larger than the .* Herald accepts \(MEDIA_MAX_BYTES\)$/);
  });
});
