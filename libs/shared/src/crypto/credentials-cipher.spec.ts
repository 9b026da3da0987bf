import { describe, expect, it } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import { loadEnvironment } from '../config/environment.js';
import { CredentialsCipher, DecryptionError } from './credentials-cipher.js';

const cipherWithKey = (byte: number): CredentialsCipher =>
  new CredentialsCipher(
    new AppConfig(
      loadEnvironment({ ENCRYPTION_KEY: Buffer.alloc(32, byte).toString('base64'), ADMIN_TOKEN: 'a'.repeat(16) }),
    ),
  );

describe('CredentialsCipher', () => {
  const cipher = cipherWithKey(7);

  it('round-trips credentials and never stores them in clear', () => {
    const envelope = cipher.encrypt({ accessToken: 'secret-token' });
    expect(envelope).not.toContain('secret-token');
    expect(envelope.startsWith('v1.')).toBe(true);
    expect(cipher.decrypt(envelope)).toEqual({ accessToken: 'secret-token' });
  });

  it('uses a fresh IV each time', () => {
    expect(cipher.encrypt({ a: 1 })).not.toBe(cipher.encrypt({ a: 1 }));
  });

  it('rejects a tampered envelope', () => {
    const [version, iv, tag, body] = cipher.encrypt({ accessToken: 'x' }).split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(() => cipher.decrypt([version, iv, tag, flipped.toString('base64url')].join('.'))).toThrow(DecryptionError);
  });

  it.each([4, 12, 15])('rejects a tag cut to %i bytes, though it is a prefix of the right one', (length) => {
    const [version, iv, tag, body] = cipher.encrypt({ accessToken: 'x' }).split('.');
    const truncated = Buffer.from(tag, 'base64url').subarray(0, length).toString('base64url');
    expect(() => cipher.decrypt([version, iv, truncated, body].join('.'))).toThrow(DecryptionError);
  });

  it('rejects another key, naming ENCRYPTION_KEY', () => {
    const decrypt = () => cipherWithKey(8).decrypt(cipher.encrypt({ accessToken: 'secret-token' }));
    expect(decrypt).toThrow(DecryptionError);
    expect(decrypt).toThrow(
      'Could not decrypt with the configured ENCRYPTION_KEY: encrypted with another key, or altered',
    );
  });
});
