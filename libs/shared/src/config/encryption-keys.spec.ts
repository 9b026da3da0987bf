import { describe, expect, it } from '@jest/globals';
import { AppConfig } from './app-config.js';
import { decryptionKeysProblems, parseDecryptionKeys } from './encryption-keys.js';
import { InvalidEnvironmentError, loadEnvironment } from './environment.js';
import { DEMO_SECRETS } from './production-secrets.js';

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');
const A = key(1);
const B = key(2);
const C = key(3);

describe('DECRYPTION_KEYS', () => {
  it.each([
    ['empty', '', []],
    ['one key', A, [A]],
    ['keys in order, blanks and spaces ignored', ` ${A} ,, ${B},`, [A, B]],
  ])('parses %s', (_case, value, keys) => {
    expect(parseDecryptionKeys(value)).toEqual(keys);
  });

  it.each([
    ['no entry', '', []],
    ['other keys', `${A},${B}`, []],
    [
      'a key too short',
      `${A},bm90IDMyIGJ5dGVz`,
      ['DECRYPTION_KEYS: entry 2 must be 32 bytes encoded as base64 (44 characters)'],
    ],
    [
      'hex instead of base64',
      'ab'.repeat(32),
      ['DECRYPTION_KEYS: entry 1 must be 32 bytes encoded as base64 (44 characters)'],
    ],
    ['a key with its id', `k1:${A}`, ['DECRYPTION_KEYS: entry 1 must be 32 bytes encoded as base64 (44 characters)']],
    [
      'ENCRYPTION_KEY itself',
      `${A},${C}`,
      ['DECRYPTION_KEYS: entry 2 is ENCRYPTION_KEY itself; list only the other keys to read with'],
    ],
    ['a repeated key', `${A},${B},${A}`, ['DECRYPTION_KEYS: entry 3 repeats entry 1']],
    [
      'every bad entry at once',
      `x,${C},${B},${B}`,
      [
        'DECRYPTION_KEYS: entry 1 must be 32 bytes encoded as base64 (44 characters)',
        'DECRYPTION_KEYS: entry 2 is ENCRYPTION_KEY itself; list only the other keys to read with',
        'DECRYPTION_KEYS: entry 4 repeats entry 3',
      ],
    ],
  ])('with %s, names each bad entry by position', (_case, value, problems) => {
    expect(decryptionKeysProblems(C, value)).toEqual(problems);
  });

  it('never quotes a key in a problem', () => {
    const almost = A.slice(0, -2);
    for (const problem of decryptionKeysProblems(C, `${almost},${C}`)) expect(problem).not.toMatch(/[A-Za-z0-9+/]{20}/);
  });

  it('builds the ring: ENCRYPTION_KEY current, then DECRYPTION_KEYS in order', () => {
    const config = new AppConfig(
      loadEnvironment({ ENCRYPTION_KEY: C, DECRYPTION_KEYS: `${A},${B}`, ADMIN_TOKEN: 'a-long-admin-token' }),
    );
    expect(config.encryptionKeys).toEqual({
      current: Buffer.alloc(32, 3),
      decryptOnly: [Buffer.alloc(32, 1), Buffer.alloc(32, 2)],
    });
  });

  it('is checked at start-up with the other variables', () => {
    const attempt = () => loadEnvironment({ ENCRYPTION_KEY: C, DECRYPTION_KEYS: `${C},nope`, ADMIN_TOKEN: 'short' });
    expect(attempt).toThrow(InvalidEnvironmentError);
    expect(attempt).toThrow(
      /- DECRYPTION_KEYS: entry 1 is ENCRYPTION_KEY itself[\s\S]*- DECRYPTION_KEYS: entry 2 must be/,
    );
    expect(attempt).toThrow(/- ADMIN_TOKEN/);
  });

  it('refuses the demo key in production, even only to read with', () => {
    const production = { NODE_ENV: 'production', ENCRYPTION_KEY: C, ADMIN_TOKEN: 'k3Qv9-xZ27pLmW4s' };
    expect(() => loadEnvironment({ ...production, DECRYPTION_KEYS: `${A},${DEMO_SECRETS.ENCRYPTION_KEY}` })).toThrow(
      /- DECRYPTION_KEYS: entry 2 is the public demo ENCRYPTION_KEY from .env.example/,
    );
    expect(loadEnvironment({ ...production, DECRYPTION_KEYS: A }).DECRYPTION_KEYS).toBe(A);
  });
});
