import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import { loadEnvironment } from '../config/environment.js';
import { MEDIA_LINK_LIFETIME_SECONDS, MediaLinkSigner } from './media-link-signer.js';

const configFor = (encryptionKeyByte: number) =>
  new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: Buffer.alloc(32, encryptionKeyByte).toString('base64'),
      ADMIN_TOKEN: 'x'.repeat(20),
      PUBLIC_BASE_URL: 'https://herald.example.com/',
    }),
  );

function parse(link: string) {
  const url = new URL(link);
  return {
    url,
    id: /^\/v1\/media\/([^/]+)\/content$/.exec(url.pathname)?.[1],
    expires: url.searchParams.get('expires') ?? undefined,
    signature: url.searchParams.get('signature') ?? undefined,
  };
}

describe('MediaLinkSigner', () => {
  const signer = new MediaLinkSigner(configFor(7));
  const id = randomUUID();
  const now = Date.UTC(2030, 0, 1);

  it('links to the backend’s content route, valid for a day', () => {
    const { url, expires, signature, ...link } = parse(signer.link(id, now));
    expect(url.origin).toBe('https://herald.example.com');
    expect(link.id).toBe(id);
    expect(Number(expires)).toBe(now / 1000 + MEDIA_LINK_LIFETIME_SECONDS);
    expect(signer.isValid(id, expires, signature, now)).toBe(true);
    expect(signer.isValid(id, expires, signature, now + (MEDIA_LINK_LIFETIME_SECONDS - 1) * 1000)).toBe(true);
  });

  it('refuses an expired link', () => {
    const { expires, signature } = parse(signer.link(id, now));
    expect(signer.isValid(id, expires, signature, now + MEDIA_LINK_LIFETIME_SECONDS * 1000)).toBe(false);
  });

  it('refuses a link whose id, expiry or signature was changed, or that lacks them', () => {
    const { expires, signature } = parse(signer.link(id, now));
    expect(signer.isValid(randomUUID(), expires, signature, now)).toBe(false);
    expect(signer.isValid(id, String(Number(expires) + 3600), signature, now)).toBe(false);
    const lastChanged = `${signature!.slice(0, -1)}${signature!.endsWith('A') ? 'B' : 'A'}`;
    expect(signer.isValid(id, expires, lastChanged, now)).toBe(false);
    expect(signer.isValid(id, expires, undefined, now)).toBe(false);
    expect(signer.isValid(id, undefined, signature, now)).toBe(false);
    expect(signer.isValid(id, [expires], signature, now)).toBe(false);
  });

  it('signs with a key of its own derived from ENCRYPTION_KEY', () => {
    const other = new MediaLinkSigner(configFor(8));
    const { expires, signature } = parse(signer.link(id, now));
    expect(other.isValid(id, expires, signature, now)).toBe(false);
  });
});
