import { Injectable } from '@nestjs/common';
import { EnvelopeCipher } from './envelope-cipher.js';
import { KeyRing } from './key-ring.js';

/**
 * Encrypts account credentials at rest (see {@link EnvelopeCipher}), bound to their account: the
 * account id is the associated data, so credentials copied onto another account's row do not open.
 */
@Injectable()
export class CredentialsCipher {
  private readonly envelopes: EnvelopeCipher;

  constructor(ring: KeyRing) {
    this.envelopes = new EnvelopeCipher(ring, 'credentials');
  }

  encrypt(accountId: string, credentials: unknown): string {
    return this.envelopes.seal(credentials, accountId);
  }

  decrypt(accountId: string, envelope: string): unknown {
    return this.envelopes.open(envelope, accountId);
  }

  /** Sealed under the current key in the current form already. */
  isCurrent(envelope: string): boolean {
    return this.envelopes.isCurrent(envelope);
  }
}
