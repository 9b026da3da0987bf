import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import { loadEnvironment } from '../config/environment.js';
import { KeyRing } from '../crypto/key-ring.js';
import { MEDIA_LINK_LIFETIME_SECONDS, MediaLinkSigner } from './media-link-signer.js';

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');

/** A signer whose ring is ENCRYPTION_KEY `current`, then DECRYPTION_KEYS `decryptOnly`. */
function signerWith(current: number, ...decryptOnly: number[]): MediaLinkSigner {
  const config = new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: key(current),
      DECRYPTION_KEYS: decryptOnly.map(key).join(','),
      ADMIN_TOKEN: 'x'.repeat(20),
      PUBLIC_BASE_URL: 'https://herald.example.com/',
    }),
  );
  return new MediaLinkSigner(config, new KeyRing(config));
}

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
  const signer = signerWith(7);
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

  it('refuses a link signed with a key not in the ring', () => {
    const { expires, signature } = parse(signer.link(id, now));
    expect(signerWith(8).isValid(id, expires, signature, now)).toBe(false);
  });

  it('keeps links signed before a rotation valid while the old key is in DECRYPTION_KEYS', () => {
    const { expires, signature } = parse(signer.link(id, now));
    expect(signerWith(8, 7).isValid(id, expires, signature, now)).toBe(true);
    const rotated = parse(signerWith(8, 7).link(id, now));
    expect(rotated.signature).not.toBe(signature);
    expect(signerWith(8).isValid(id, rotated.expires, rotated.signature, now)).toBe(true);
  });

  it('signs as before the key ring, so links handed out before the upgrade stay valid', () => {
    const mediaKey = Buffer.from(hkdfSync('sha256', Buffer.alloc(32, 7), Buffer.alloc(0), 'herald media links v1', 32));
    const expires = now / 1000 + 60;
    const signedBefore = createHmac('sha256', mediaKey).update(`${id}\n${expires}`).digest('base64url');
    expect(signer.isValid(id, String(expires), signedBefore, now)).toBe(true);
  });
});
