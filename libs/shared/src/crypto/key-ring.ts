import { Injectable } from '@nestjs/common';
import { hkdfSync } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';

/** What a key is used for: each purpose gets its own key, derived from every ring key with HKDF. */
export type KeyPurpose = 'credentials' | 'oauth-state' | 'media-links' | 'csrf' | 'oidc-flow';

const PURPOSE_INFO: Record<KeyPurpose, string> = {
  credentials: 'herald credentials v2',
  'oauth-state': 'herald oauth state v2',
  csrf: 'herald csrf v1',
  'oidc-flow': 'herald oidc flow v1',
  // As before the key ring, so media links handed to platforms before it stay valid.
  'media-links': 'herald media links v1',
};

/** A key and its id: 12 hex digits derived from the key, so ids cannot be mislabelled in config. */
export interface RingKey {
  id: string;
  key: Buffer;
}

/** Keys with ids, the first one current (the one that encrypts and signs). */
export class KeySet {
  constructor(readonly keys: readonly RingKey[]) {}

  get current(): RingKey {
    return this.keys[0];
  }

  find(id: string): RingKey | undefined {
    return this.keys.find((key) => key.id === id);
  }
}

const hkdf = (key: Buffer, info: string, length: number): Buffer =>
  Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, length));

/** A key's id: HKDF-derived, so it tells nothing about the key (48 bits of a one-way function). */
export const keyIdOf = (key: Buffer): string => hkdf(key, 'herald key id', 6).toString('hex');

/**
 * The configured keys: ENCRYPTION_KEY (current) and DECRYPTION_KEYS (read only). `raw` are the keys
 * as configured, which only `v1` envelopes (sealed before the ring existed) were encrypted with;
 * everything new uses {@link KeyRing.forPurpose}.
 */
@Injectable()
export class KeyRing {
  readonly raw: KeySet;
  private readonly derived = new Map<KeyPurpose, KeySet>();

  constructor(config: AppConfig) {
    const { current, decryptOnly } = config.encryptionKeys;
    this.raw = new KeySet([current, ...decryptOnly].map((key) => ({ id: keyIdOf(key), key })));
  }

  /** The ring's keys for one purpose, under the same ids. */
  forPurpose(purpose: KeyPurpose): KeySet {
    let keys = this.derived.get(purpose);
    if (!keys) {
      keys = new KeySet(this.raw.keys.map(({ id, key }) => ({ id, key: hkdf(key, PURPOSE_INFO[purpose], 32) })));
      this.derived.set(purpose, keys);
    }
    return keys;
  }
}
