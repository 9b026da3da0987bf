import { describe, expect, it } from '@jest/globals';
import { checkContent, type ContentToCheck } from '../content-rules.js';
import { isSameXText, X_CONTENT_RULES, xWeightedLength } from './x-content.rules.js';

const post = (text: string, extra: Partial<ContentToCheck> = {}): ContentToCheck => ({
  text,
  media: [],
  thread: [],
  ...extra,
});
const problems = (content: ContentToCheck) => checkContent(X_CONTENT_RULES, content);
const image = (extra: Partial<ContentToCheck['media'][number]> = {}) => ({
  mimeType: 'image/png',
  sizeBytes: 1024,
  altText: null,
  ...extra,
});

describe('X_CONTENT_RULES', () => {
  it('accepts plain ASCII up to 280 characters and rejects 281', () => {
    expect(X_CONTENT_RULES.maxLength).toBe(280);
    expect(problems(post('a'.repeat(280)))).toEqual([]);
    expect(problems(post('a'.repeat(281)))).toEqual([
      { field: 'text', message: 'is 281 weighted characters; X allows at most 280' },
    ]);
  });

  it('counts any URL as 23 characters, however long it is', () => {
    const url = `https://example.com/${'path/'.repeat(60)}`;
    expect(url.length).toBeGreaterThan(280);
    expect(xWeightedLength(url)).toBe(23);

    const fits = `${'a'.repeat(256)} ${url}`; // 256 + 1 + 23 = 280
    expect(problems(post(fits))).toEqual([]);
    expect(problems(post(`a${fits}`))[0].message).toMatch(/^is 281 weighted characters/);
  });

  it('counts an emoji as 2', () => {
    expect(xWeightedLength('🎉')).toBe(2);
    expect(xWeightedLength('👩‍👩‍👧‍👦')).toBe(2); // one ZWJ sequence, one emoji
    expect(problems(post('🎉'.repeat(140)))).toEqual([]);
    expect(problems(post('🎉'.repeat(141)))[0].message).toMatch(/^is 282 weighted characters/);
  });

  it('counts CJK characters as 2: 140 fit, 141 do not', () => {
    expect(problems(post('字'.repeat(140)))).toEqual([]);
    expect(problems(post('字'.repeat(141)))[0].message).toMatch(/^is 282 weighted characters/);
    expect(problems(post('あ'.repeat(139) + 'ab'))).toEqual([]); // 278 + 2
    expect(problems(post('あ'.repeat(139) + 'abc'))).toHaveLength(1); // 278 + 3
  });

  it('checks every part of a thread the same way, up to 25 parts', () => {
    expect(problems(post('first', { thread: ['second', '字'.repeat(141)] }))).toEqual([
      { field: 'thread.1', message: 'is 282 weighted characters; X allows at most 280' },
    ]);
    expect(problems(post('first', { thread: Array.from({ length: 24 }, (_, i) => `part ${i}`) }))).toEqual([]);
    expect(problems(post('first', { thread: Array.from({ length: 25 }, (_, i) => `part ${i}`) }))).toEqual([
      { field: 'thread', message: '26 posts in the thread; X allows at most 25' },
    ]);
  });

  it('rejects empty text unless the post has an image', () => {
    expect(problems(post(''))).toEqual([{ field: 'text', message: 'must not be empty without an image' }]);
    expect(problems(post(' \n\t '))).toHaveLength(1);
    expect(problems(post('', { media: [image()] }))).toEqual([]);
  });

  it('takes up to 4 JPEG, PNG, GIF or WebP images of 5 MB, with alt text up to 1000 characters', () => {
    const four = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'].map((mimeType) => image({ mimeType }));
    expect(problems(post('pics', { media: four }))).toEqual([]);
    expect(problems(post('pics', { media: [...four, image()] }))).toEqual([
      { field: 'media', message: '5 images attached; X allows at most 4 images' },
    ]);
    expect(problems(post('big', { media: [image({ sizeBytes: 5 * 1024 * 1024 + 1 })] }))).toEqual([
      { field: 'media.0', message: 'the file is 5242881 bytes; X allows 5242880' },
    ]);
    expect(problems(post('svg', { media: [image({ mimeType: 'image/svg+xml' })] }))[0].field).toBe('media.0');
    expect(problems(post('alt', { media: [image({ altText: 'a'.repeat(1000) })] }))).toEqual([]);
    expect(problems(post('alt', { media: [image({ altText: 'a'.repeat(1001) })] }))).toEqual([
      { field: 'media.0', message: 'alt text is longer than 1000 characters for X' },
    ]);
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

  it('ignores the link to the photos that X appends to a post with media, and only then', () => {
    expect(isSameXText('Look https://t.co/Ph0t0s', 'Look', { hasMedia: true })).toBe(true);
    expect(isSameXText('https://t.co/Ph0t0s', '', { hasMedia: true })).toBe(true);
    expect(isSameXText('Menu https://t.co/a https://t.co/Ph0t0s', 'Menu example.com', { hasMedia: true })).toBe(true);
    expect(isSameXText('Look https://t.co/Ph0t0s', 'Look')).toBe(false);
    expect(isSameXText('Look', 'Look', { hasMedia: true })).toBe(true);
  });
});
