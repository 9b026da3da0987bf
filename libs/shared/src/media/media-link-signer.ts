import { Inject, Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';

/** How long a link handed to a platform stays valid: long enough for slow queues on the platform's side. */
export const MEDIA_LINK_LIFETIME_SECONDS = 24 * 3600;

/**
 * Signed, expiring links to `GET /v1/media/:id/content`, for platforms that pull images by URL
 * (they cannot send an API key). The signature covers the id and the expiry, with a key derived
 * from ENCRYPTION_KEY for this purpose only.
 */
@Injectable()
export class MediaLinkSigner {
  private readonly key: Buffer;
  private readonly baseUrl: string;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.encryptionKey, Buffer.alloc(0), 'herald media links v1', 32));
    this.baseUrl = config.publicBaseUrl;
  }

  link(mediaId: string, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + MEDIA_LINK_LIFETIME_SECONDS;
    const query = new URLSearchParams({ expires: String(expires), signature: this.sign(mediaId, expires) });
    return `${this.baseUrl}/v1/media/${encodeURIComponent(mediaId)}/content?${query.toString()}`;
  }

  /** False when the link is forged, tampered with or expired. */
  isValid(mediaId: string, expires: unknown, signature: unknown, now = Date.now()): boolean {
    if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || typeof signature !== 'string') return false;
    const expected = Buffer.from(this.sign(mediaId, Number(expires)));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    return Number(expires) > Math.floor(now / 1000);
  }

  private sign(mediaId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${mediaId}\n${expires}`).digest('base64url');
  }
}
