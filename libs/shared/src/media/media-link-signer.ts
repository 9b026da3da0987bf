import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { KeyRing, type KeySet } from '../crypto/key-ring.js';

/** How long a link handed to a platform stays valid: long enough for slow queues on the platform's side. */
export const MEDIA_LINK_LIFETIME_SECONDS = 24 * 3600;

/**
 * Signed, expiring links to `GET /v1/media/:id/content`, for platforms that pull images by URL
 * (they cannot send an API key). The signature covers the id and the expiry, with a key derived for
 * this purpose only from the current ring key (ENCRYPTION_KEY). A link signed with any ring key's
 * media key is valid: links carry no key id (links already handed out have none), so those signed
 * before a rotation keep working while the old key is in DECRYPTION_KEYS, for one HMAC per ring key.
 */
@Injectable()
export class MediaLinkSigner {
  private readonly keys: KeySet;
  private readonly baseUrl: string;

  constructor(@Inject(AppConfig) config: AppConfig, @Inject(KeyRing) ring: KeyRing) {
    this.keys = ring.forPurpose('media-links');
    this.baseUrl = config.publicBaseUrl;
  }

  link(mediaId: string, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + MEDIA_LINK_LIFETIME_SECONDS;
    const query = new URLSearchParams({
      expires: String(expires),
      signature: this.sign(this.keys.current.key, mediaId, expires),
    });
    return `${this.baseUrl}/v1/media/${encodeURIComponent(mediaId)}/content?${query.toString()}`;
  }

  /** False when the link is forged, tampered with or expired. */
  isValid(mediaId: string, expires: unknown, signature: unknown, now = Date.now()): boolean {
    if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || typeof signature !== 'string') return false;
    const given = Buffer.from(signature);
    const signedByRingKey = this.keys.keys.some(({ key }) => {
      const expected = Buffer.from(this.sign(key, mediaId, Number(expires)));
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    return signedByRingKey && Number(expires) > Math.floor(now / 1000);
  }

  private sign(key: Buffer, mediaId: string, expires: number): string {
    return createHmac('sha256', key).update(`${mediaId}\n${expires}`).digest('base64url');
  }
}
