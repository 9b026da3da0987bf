import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';

const ALGORITHM = 'aes-256-gcm';
/** The full GCM tag: a shorter one (which Node accepts by default) makes forgery a matter of 2^32 tries. */
const AUTH_TAG_BYTES = 16;
const VERSION = 'v1';

/** The envelope's authentication failed: it was encrypted with another key, or altered. */
export class DecryptionError extends Error {
  constructor(options: ErrorOptions) {
    super('Could not decrypt with the configured ENCRYPTION_KEY: encrypted with another key, or altered', options);
    this.name = 'DecryptionError';
  }
}

/**
 * Encrypts account credentials at rest with AES-256-GCM. The envelope is
 * `v1.<iv>.<auth tag>.<ciphertext>` (base64url parts); the version leaves room for key rotation.
 */
@Injectable()
export class CredentialsCipher {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = config.encryptionKey;
  }

  encrypt(credentials: object): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  decrypt(envelope: string): unknown {
    const [version, iv, tag, ciphertext] = envelope.split('.');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined) {
      throw new Error('Unreadable credentials envelope');
    }
    const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'), {
      authTagLength: AUTH_TAG_BYTES,
    });
    let plaintext: Buffer;
    try {
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    } catch (error) {
      throw new DecryptionError({ cause: error });
    }
    return JSON.parse(plaintext.toString('utf8')) as unknown;
  }
}
