import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyPurpose, KeyRing, KeySet } from './key-ring.js';

const ALGORITHM = 'aes-256-gcm';
/** The full GCM tag: a shorter one (which Node accepts by default) makes forgery a matter of 2^32 tries. */
const AUTH_TAG_BYTES = 16;
const IV_BYTES = 12;
const KEY_ID = /^[0-9a-f]{12}$/;

/** The envelope's authentication failed, or no configured key can open it. Never quotes key material. */
export class DecryptionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DecryptionError';
  }
}

/**
 * AES-256-GCM envelopes for one purpose of the key ring. The current form is
 * `v2.<key id>.<iv>.<auth tag>.<ciphertext>` (base64url parts), sealed with the purpose's key derived
 * from the ring key `<key id>`, with `context` as associated data (what the secret belongs to: opening it
 * for anything else fails). `v1.<iv>.<tag>.<ciphertext>`, sealed with a configured key itself and no
 * associated data before the ring existed, stays readable until re-encrypted.
 */
export class EnvelopeCipher {
  private readonly keys: KeySet;

  constructor(
    private readonly ring: KeyRing,
    purpose: KeyPurpose,
  ) {
    this.keys = ring.forPurpose(purpose);
  }

  seal(value: unknown, context: string): string {
    const { id, key } = this.keys.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: AUTH_TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return ['v2', id, ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'))].join('.');
  }

  open(envelope: string, context: string): unknown {
    const parts = envelope.split('.');
    if (parts[0] === 'v2' && parts.length === 5 && KEY_ID.test(parts[1])) {
      const [, id, iv, tag, ciphertext] = parts;
      const ringKey = this.keys.find(id);
      if (!ringKey) {
        throw new DecryptionError(
          `Could not decrypt: encrypted with key ${id}, which is neither ENCRYPTION_KEY nor in DECRYPTION_KEYS`,
        );
      }
      try {
        return decrypt(ringKey.key, iv, tag, ciphertext, context);
      } catch (error) {
        throw new DecryptionError(`Could not decrypt with key ${id}: altered, or sealed for something else`, {
          cause: error,
        });
      }
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      const [, iv, tag, ciphertext] = parts;
      // v1 names no key: each configured key is tried (a wrong one fails authentication at once).
      for (const { key } of this.ring.raw.keys) {
        try {
          return decrypt(key, iv, tag, ciphertext);
        } catch {
          continue;
        }
      }
      throw new DecryptionError(
        'Could not decrypt with ENCRYPTION_KEY or any of DECRYPTION_KEYS: encrypted with another key, or altered',
      );
    }
    throw new Error('Unreadable envelope');
  }

  /** True when `envelope` is sealed in the current form under the current key: re-encrypting would change nothing. */
  isCurrent(envelope: string): boolean {
    return envelope.startsWith(`v2.${this.keys.current.id}.`);
  }
}

function decrypt(key: Buffer, iv: string, tag: string, ciphertext: string, context?: string): unknown {
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'), { authTagLength: AUTH_TAG_BYTES });
  if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
  return JSON.parse(plaintext.toString('utf8')) as unknown;
}
