import { describe, expect, it } from '@jest/globals';
import { isSameXText, validateXContent, X_MAX_WEIGHTED_LENGTH, xWeightedLength } from './x-content.rules.js';

describe('validateXContent', () => {
  it('accepts plain ASCII up to 280 characters and rejects 281', () => {
    expect(X_MAX_WEIGHTED_LENGTH).toBe(280);
    expect(validateXContent('a'.repeat(280))).toEqual([]);
    expect(validateXContent('a'.repeat(281))).toEqual([
      'content is 281 weighted characters; X allows at most 280 (URLs count as 23, emoji and CJK as 2)',
    ]);
  });

  it('counts any URL as 23 characters, however long it is', () => {
    const url = `https://example.com/${'path/'.repeat(60)}`;
    expect(url.length).toBeGreaterThan(280);
    expect(xWeightedLength(url)).toBe(23);

    const fits = `${'a'.repeat(256)} ${url}`; // 256 + 1 + 23 = 280
    expect(validateXContent(fits)).toEqual([]);
    expect(validateXContent(`a${fits}`)[0]).toMatch(/^content is 281 weighted characters/);
  });

  it('counts an emoji as 2', () => {
    expect(xWeightedLength('🎉')).toBe(2);
    expect(xWeightedLength('👩‍👩‍👧‍👦')).toBe(2); // one ZWJ sequence, one emoji
    expect(validateXContent('🎉'.repeat(140))).toEqual([]);
    expect(validateXContent('🎉'.repeat(141))[0]).toMatch(/^content is 282 weighted characters/);
  });

  it('counts CJK characters as 2: 140 fit, 141 do not', () => {
    expect(validateXContent('字'.repeat(140))).toEqual([]);
    expect(validateXContent('字'.repeat(141))[0]).toMatch(/^content is 282 weighted characters/);
    expect(validateXContent('あ'.repeat(139) + 'ab')).toEqual([]); // 278 + 2
    expect(validateXContent('あ'.repeat(139) + 'abc')).toHaveLength(1); // 278 + 3
  });

  it('rejects empty and whitespace-only content', () => {
    expect(validateXContent('')).toEqual(['content must not be empty']);
    expect(validateXContent(' \n\t ')).toEqual(['content must not be empty']);
  });
});

describe('isSameXText', () => {
  it('matches the text X returns: t.co links, HTML entities, surrounding whitespace', () => {
    const sent = '  Fish & chips <today> at https://example.com/menu?x=1&y=2 and example.org  ';
    const returned = 'Fish &amp; chips &lt;today&gt; at https://t.co/abc123XYZ0 and https://t.co/Zz9';
    expect(isSameXText(returned, sent)).toBe(true);
  });

  it('does not match different words, a missing link or a literal entity', () => {
    expect(isSameXText('Fish and chips', 'Fish & chips')).toBe(false);
    expect(isSameXText('Menu: https://t.co/abc', 'Menu:')).toBe(false);
    expect(isSameXText('a &amp;amp; b', 'a & b')).toBe(false);
    expect(isSameXText('a &amp;amp; b', 'a &amp; b')).toBe(true);
  });
});
