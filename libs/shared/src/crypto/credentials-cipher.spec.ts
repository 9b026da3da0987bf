import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { loadEnvironment } from '../config/environment.js';
import { CredentialsCipher } from './credentials-cipher.js';
import { DecryptionError, EnvelopeCipher } from './envelope-cipher.js';
import { KeyRing, keyIdOf } from './key-ring.js';

const key = (byte: number): Buffer => Buffer.alloc(32, byte);

/** The ring ENCRYPTION_KEY = key(current), DECRYPTION_KEYS = the others. */
function ringOf(current: number, ...decryptOnly: number[]): KeyRing {
  return new KeyRing(
    new AppConfig(
      loadEnvironment({
        ENCRYPTION_KEY: key(current).toString('base64'),
        DECRYPTION_KEYS: decryptOnly.map((byte) => key(byte).toString('base64')).join(','),
        ADMIN_TOKEN: 'a'.repeat(16),
      }),
    ),
  );
}

const cipherOf = (current: number, ...decryptOnly: number[]) => new CredentialsCipher(ringOf(current, ...decryptOnly));

/** `{"accessToken":"old"}` as Herald sealed credentials before the key ring: with key(1) itself, no associated data. */
const V1_ENVELOPE = 'v1.MK6nRxH9gPYzThiF.RxGB8IPsSV2N5AhgP5oXAQ.xXqit8CSRE5IOWHGkoIq7tuL7d-6';

const withPart = (envelope: string, index: number, change: (part: Buffer) => Buffer): string => {
  const parts = envelope.split('.');
  parts[index] = change(Buffer.from(parts[index], 'base64url')).toString('base64url');
  return parts.join('.');
};

describe('CredentialsCipher', () => {
  const cipher = cipherOf(7);
  const accountId = randomUUID();

  it('round-trips credentials in a v2 envelope naming the key, never storing them in clear', () => {
    const envelope = cipher.encrypt(accountId, { accessToken: 'secret-token' });
    expect(envelope).not.toContain('secret-token');
    expect(envelope.split('.').slice(0, 2)).toEqual(['v2', keyIdOf(key(7))]);
    expect(cipher.decrypt(accountId, envelope)).toEqual({ accessToken: 'secret-token' });
  });

  it('uses a fresh IV each time', () => {
    expect(cipher.encrypt(accountId, { a: 1 })).not.toBe(cipher.encrypt(accountId, { a: 1 }));
  });

  it.each([
    ['the ciphertext', 4],
    ['the IV', 2],
  ])('rejects an envelope whose %s was altered', (_part, index) => {
    const altered = withPart(cipher.encrypt(accountId, { accessToken: 'x' }), index, (part) => {
      part[0] ^= 1;
      return part;
    });
    expect(() => cipher.decrypt(accountId, altered)).toThrow(DecryptionError);
  });

  it.each([4, 12, 15])('rejects a tag cut to %i bytes, though it is a prefix of the right one', (length) => {
    const truncated = withPart(cipher.encrypt(accountId, { accessToken: 'x' }), 3, (tag) => tag.subarray(0, length));
    expect(() => cipher.decrypt(accountId, truncated)).toThrow(DecryptionError);
  });

  it("refuses another account's credentials: the account id is bound in as associated data", () => {
    const envelope = cipher.encrypt(accountId, { accessToken: 'secret-token' });
    const decrypt = () => cipher.decrypt(randomUUID(), envelope);
    expect(decrypt).toThrow(DecryptionError);
    expect(decrypt).toThrow(`Could not decrypt with key ${keyIdOf(key(7))}: altered, or sealed for something else`);
  });

  it('names the unknown key by its id, never by its material', () => {
    const envelope = cipherOf(8).encrypt(accountId, { accessToken: 'secret-token' });
    const decrypt = () => cipher.decrypt(accountId, envelope);
    expect(decrypt).toThrow(DecryptionError);
    expect(decrypt).toThrow(
      `Could not decrypt: encrypted with key ${keyIdOf(key(8))}, which is neither ENCRYPTION_KEY nor in DECRYPTION_KEYS`,
    );
    try {
      decrypt();
    } catch (error) {
      expect((error as Error).message).not.toContain(key(8).toString('base64'));
    }
  });

  it('refuses an envelope naming a ring key whose id it forged', () => {
    const forged = cipherOf(8)
      .encrypt(accountId, { accessToken: 'x' })
      .replace(/^v2\.[^.]+\./, `v2.${keyIdOf(key(7))}.`);
    expect(() => cipher.decrypt(accountId, forged)).toThrow(DecryptionError);
  });

  it('opens what older keys in DECRYPTION_KEYS sealed, and seals only with ENCRYPTION_KEY', () => {
    const sealedWithA = cipherOf(1).encrypt(accountId, { accessToken: 'a' });
    const rotated = cipherOf(2, 1);
    expect(rotated.decrypt(accountId, sealedWithA)).toEqual({ accessToken: 'a' });
    expect(rotated.isCurrent(sealedWithA)).toBe(false);
    const resealed = rotated.encrypt(accountId, { accessToken: 'a' });
    expect(rotated.isCurrent(resealed)).toBe(true);
    expect(cipherOf(2).decrypt(accountId, resealed)).toEqual({ accessToken: 'a' });
  });

  describe('v1 envelopes, sealed before the key ring', () => {
    it.each([
      ['ENCRYPTION_KEY', [1]],
      ['a key in DECRYPTION_KEYS', [2, 1]],
    ])('open with the key they were sealed with, as %s, whatever account reads them', (_where, bytes) => {
      const [current, ...decryptOnly] = bytes;
      expect(cipherOf(current, ...decryptOnly).decrypt(accountId, V1_ENVELOPE)).toEqual({ accessToken: 'old' });
      expect(cipherOf(current, ...decryptOnly).isCurrent(V1_ENVELOPE)).toBe(false);
    });

    it('are refused, naming the variables, when no configured key seals them', () => {
      expect(() => cipherOf(2).decrypt(accountId, V1_ENVELOPE)).toThrow(
        'Could not decrypt with ENCRYPTION_KEY or any of DECRYPTION_KEYS: encrypted with another key, or altered',
      );
    });

    it('are refused with a cut tag', () => {
      const truncated = withPart(V1_ENVELOPE, 2, (tag) => tag.subarray(0, 4));
      expect(() => cipherOf(1).decrypt(accountId, truncated)).toThrow(DecryptionError);
    });
  });

  it.each(['', 'v3.a.b.c', 'v2.short.a.b.c', 'v2.0123456789ab.a.b', 'v1.a.b'])('calls %j unreadable', (envelope) => {
    expect(() => cipher.decrypt(accountId, envelope)).toThrow('Unreadable envelope');
  });
});

describe('KeyRing', () => {
  const ring = ringOf(7, 1);

  it('derives an independent key per purpose from every ring key, under the ring key ids', () => {
    const purposes = (['credentials', 'oauth-state', 'media-links'] as const).map((purpose) =>
      ring.forPurpose(purpose),
    );
    const all = [ring.raw, ...purposes].flatMap((set) => set.keys.map(({ key }) => key.toString('hex')));
    expect(new Set(all).size).toBe(all.length);
    for (const set of purposes) {
      expect(set.keys.map(({ id }) => id)).toEqual([keyIdOf(key(7)), keyIdOf(key(1))]);
      expect(set.current.key).toHaveLength(32);
    }
  });

  it('gives keys ids that do not reveal them', () => {
    expect(keyIdOf(key(7))).toMatch(/^[0-9a-f]{12}$/);
    expect(keyIdOf(key(7))).not.toBe(keyIdOf(key(1)));
    expect(key(7).toString('hex')).not.toContain(keyIdOf(key(7)));
  });

  it('keeps purposes apart: an OAuth state does not open as credentials', () => {
    const state = new EnvelopeCipher(ring, 'oauth-state').seal({ accessToken: 'x' }, 'account');
    expect(() => new CredentialsCipher(ring).decrypt('account', state)).toThrow(DecryptionError);
  });
});
