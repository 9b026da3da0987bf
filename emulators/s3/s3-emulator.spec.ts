import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startS3Emulator, type S3Emulator } from './s3-emulator.js';

/** The emulator's wire behaviour, checked with raw HTTP (the SDK round trip is in S3MediaStorage's spec). */
describe('S3 emulator', () => {
  let emulator: S3Emulator;
  const amzDate = () =>
    new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  const signed = (keyId: string, extra: Record<string, string> = {}) => ({
    authorization: `AWS4-HMAC-SHA256 Credential=${keyId}/${amzDate().slice(0, 8)}/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${'0'.repeat(64)}`,
    'x-amz-date': amzDate(),
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    ...extra,
  });

  beforeAll(async () => {
    emulator = await startS3Emulator({ buckets: ['media'] });
  });
  afterAll(() => emulator.close());

  it('answers S3 XML errors: anonymous, unknown key id, wrong scheme, missing object and bucket', async () => {
    const anonymous = await fetch(`${emulator.url}/media/a.png`);
    expect(anonymous.status).toBe(403);
    expect(anonymous.headers.get('content-type')).toBe('application/xml');
    expect(await anonymous.text()).toMatch(/<Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/);

    const stranger = await fetch(`${emulator.url}/media/a.png`, { headers: signed('STRANGER') });
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).toContain('<Code>InvalidAccessKeyId</Code>');

    const v2 = await fetch(`${emulator.url}/media/a.png`, { headers: { authorization: 'AWS KEY:c2lnbmF0dXJl' } });
    expect(v2.status).toBe(400);
    expect(await v2.text()).toContain('Please use AWS4-HMAC-SHA256');

    const missing = await fetch(`${emulator.url}/media/a.png`, { headers: signed(emulator.accessKeyId) });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/<Code>NoSuchKey<\/Code>.*<Key>a\.png<\/Key>/);

    const noBucket = await fetch(`${emulator.url}/other/a.png`, { headers: signed(emulator.accessKeyId) });
    expect(await noBucket.text()).toContain('<Code>NoSuchBucket</Code>');
  });

  it('checks the payload hash the request declares', async () => {
    const response = await fetch(`${emulator.url}/media/b.png`, {
      method: 'PUT',
      headers: signed(emulator.accessKeyId, { 'x-amz-content-sha256': 'a'.repeat(64) }),
      body: 'not what was hashed',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    expect(emulator.object('media', 'b.png')).toBeUndefined();
  });

  it('lists buckets and answers HeadBucket', async () => {
    const list = await fetch(`${emulator.url}/`, { headers: signed(emulator.accessKeyId) });
    expect(await list.text()).toMatch(/<Buckets><Bucket><Name>media<\/Name>/);
    const head = await fetch(`${emulator.url}/media`, { method: 'HEAD', headers: signed(emulator.accessKeyId) });
    expect(head.status).toBe(200);
    const headMissing = await fetch(`${emulator.url}/nope`, { method: 'HEAD', headers: signed(emulator.accessKeyId) });
    expect(headMissing.status).toBe(404);
  });
});
