import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startS3Emulator, type S3Emulator } from '../../../../emulators/s3/s3-emulator.js';
import { mediaStorageKey, MissingMediaError } from './media-storage.js';
import { S3MediaStorage, type S3Settings } from './s3-media.storage.js';
import { pngImage } from '../../../../test/support/images.js';

const BUCKET = 'herald-media';

describe('S3MediaStorage against the S3 emulator', () => {
  let emulator: S3Emulator;
  let storage: S3MediaStorage;

  const settingsFor = (overrides: Partial<S3Settings> = {}): S3Settings => ({
    kind: 's3',
    bucket: BUCKET,
    region: emulator.region,
    endpoint: emulator.url,
    accessKeyId: emulator.accessKeyId,
    secretAccessKey: 'emulator-secret',
    forcePathStyle: true,
    ...overrides,
  });

  beforeAll(async () => {
    emulator = await startS3Emulator({ buckets: [BUCKET] });
    storage = new S3MediaStorage(settingsFor(), 2000);
  });
  beforeEach(() => emulator.reset());
  afterAll(async () => {
    storage?.onModuleDestroy();
    await emulator?.close();
  });

  it('puts an object with its content type, signed with SigV4, and reads it back', async () => {
    const key = mediaStorageKey(randomUUID());
    const bytes = pngImage(16, 16, 'noise');

    await storage.put(key, bytes, 'image/png');

    expect(emulator.object(BUCKET, key)).toMatchObject({ data: bytes, contentType: 'image/png' });
    expect(emulator.requests[0]).toMatchObject({
      method: 'PUT',
      path: `/${BUCKET}/${key}`,
      accessKeyId: emulator.accessKeyId,
      presigned: false,
      status: 200,
    });
    expect(await storage.read(key)).toEqual(bytes);
  });

  it('deletes objects; reading one that is gone is a MissingMediaError', async () => {
    const key = mediaStorageKey(randomUUID());
    await storage.put(key, pngImage(), 'image/png');
    await storage.delete(key);
    expect(emulator.keys(BUCKET)).toEqual([]);
    await expect(storage.read(key)).rejects.toBeInstanceOf(MissingMediaError);
    await storage.delete(key);
  });

  it('presigns GET links that serve the file without credentials, and expire', async () => {
    const key = mediaStorageKey(randomUUID());
    const bytes = pngImage(2, 2);
    await storage.put(key, bytes, 'image/png');

    const link = new URL(await storage.directUrl(key, 600));
    expect(link.searchParams.get('X-Amz-Expires')).toBe('600');
    const response = await fetch(link);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    expect(emulator.requests.at(-1)).toMatchObject({ method: 'GET', presigned: true, status: 200 });

    link.searchParams.set('X-Amz-Date', '20200101T000000Z');
    const expired = await fetch(link);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('<Message>Request has expired</Message>');
  });

  it('fails with S3’s own error when the access key is wrong or the bucket is missing', async () => {
    const wrongKey = new S3MediaStorage(settingsFor({ accessKeyId: 'SOMEONEELSE' }), 2000);
    const noBucket = new S3MediaStorage(settingsFor({ bucket: 'no-such-bucket' }), 2000);
    try {
      await expect(wrongKey.put('a/b/c', pngImage(), 'image/png')).rejects.toMatchObject({
        name: 'InvalidAccessKeyId',
        $metadata: { httpStatusCode: 403 },
      });
      await expect(noBucket.read('a/b/c')).rejects.toMatchObject({ name: 'NoSuchBucket' });
    } finally {
      wrongKey.onModuleDestroy();
      noBucket.onModuleDestroy();
    }
  });
});
