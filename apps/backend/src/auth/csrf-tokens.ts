import { Injectable } from '@nestjs/common';
import { KeyRing } from '@app/shared';
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens bound to a session: an HMAC of the session's id under the ring's CSRF key, so nothing is
 * stored and a token is worthless with any other session. A request authenticated by the session cookie
 * that changes something must send it in X-CSRF-Token (a cross-site form cannot set a header, nor read
 * the token); any key of the ring verifies, so rotating ENCRYPTION_KEY signs nobody out.
 */
@Injectable()
export class CsrfTokens {
  constructor(private readonly keyRing: KeyRing) {}

  tokenFor(sessionId: string): string {
    return this.sign(this.keyRing.forPurpose('csrf').current.key, sessionId);
  }

  matches(sessionId: string, given: string | undefined): boolean {
    if (!given) return false;
    const presented = Buffer.from(given);
    return this.keyRing.forPurpose('csrf').keys.some(({ key }) => {
      const expected = Buffer.from(this.sign(key, sessionId));
      return expected.length === presented.length && timingSafeEqual(expected, presented);
    });
  }

  private sign(key: Buffer, sessionId: string): string {
    return createHmac('sha256', key).update(sessionId).digest('base64url');
  }
}
