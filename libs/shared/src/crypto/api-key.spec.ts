import { describe, expect, it } from '@jest/globals';
import { generateApiKey, looksLikeApiKey } from './api-key.js';

describe('looksLikeApiKey', () => {
  it('recognises every key generateApiKey makes', () => {
    for (let i = 0; i < 50; i++) expect(looksLikeApiKey(generateApiKey())).toBe(true);
  });

  it.each([
    'test-admin-token-0123456789',
    'hk_not-a-real-key',
    `hk_${'a'.repeat(42)}`,
    `hk_${'a'.repeat(44)}`,
    `hk_${'a'.repeat(42)}=`,
    `HK_${'a'.repeat(43)}`,
    '',
  ])('refuses %p', (token) => {
    expect(looksLikeApiKey(token)).toBe(false);
  });
});
