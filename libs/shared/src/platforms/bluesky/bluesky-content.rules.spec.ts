import { describe, expect, it } from '@jest/globals';
import { checkContent, type ContentToCheck } from '../content-rules.js';
import { BLUESKY_RULES, blueskyContentProblems } from './bluesky-content.rules.js';

const content = (text: string, extra: Partial<ContentToCheck> = {}): ContentToCheck => ({
  text,
  media: [],
  thread: [],
  ...extra,
});

const FAMILY = '👨‍👩‍👧‍👦'; // one grapheme, 7 code points, 25 bytes
const FLAG = '🇫🇷'; // one grapheme, 2 code points, 8 bytes

describe('Bluesky content rules', () => {
  it('counts graphemes, as the PDS does: an emoji sequence or a flag is one', () => {
    expect(BLUESKY_RULES.countLength(`${FAMILY}${FLAG}e\u0301`)).toBe(3);
  });

  it('allows 300 graphemes and refuses 301', () => {
    expect(checkContent(BLUESKY_RULES, content(FLAG.repeat(300)))).toEqual([]);
    expect(checkContent(BLUESKY_RULES, content('a'.repeat(301)))).toEqual([
      { field: 'text', message: 'is 301 graphemes; Bluesky allows at most 300' },
    ]);
  });

  it('refuses more than 3000 UTF-8 bytes, which 300 graphemes can reach', () => {
    const heavy = FAMILY.repeat(121); // 121 graphemes, 3025 bytes

    expect(checkContent(BLUESKY_RULES, content(heavy))).toEqual([]);
    expect(blueskyContentProblems(content(heavy, { thread: ['fine', heavy] }))).toEqual([
      'the text is 3025 bytes in UTF-8; Bluesky allows at most 3000',
      'thread post 2 is 3025 bytes in UTF-8; Bluesky allows at most 3000',
    ]);
    expect(blueskyContentProblems(content(FAMILY.repeat(120)))).toEqual([]);
  });

  it('takes up to 4 images of 2,000,000 bytes with alt text up to 2000 characters', () => {
    const image = (sizeBytes: number, altText: string | null = null) => ({
      mimeType: 'image/webp',
      sizeBytes,
      altText,
    });

    expect(checkContent(BLUESKY_RULES, content('', { media: [image(2_000_000, 'a'.repeat(2000))] }))).toEqual([]);
    expect(checkContent(BLUESKY_RULES, content('', { media: [image(2_000_001)] })).map((p) => p.field)).toEqual([
      'media.0',
    ]);
    expect(
      checkContent(BLUESKY_RULES, content('five', { media: [1, 2, 3, 4, 5].map(() => image(10)) })).map((p) => p.field),
    ).toEqual(['media']);
    expect(checkContent(BLUESKY_RULES, content('big', { media: [image(2_500_000, 'b'.repeat(2001))] }))).toEqual([
      { field: 'media.0', message: 'alt text is longer than 2000 characters for Bluesky' },
      { field: 'media.0', message: 'the file is 2.4 MB; Bluesky allows 1.9 MB' },
    ]);
  });

  it('takes threads of up to 25 posts', () => {
    expect(checkContent(BLUESKY_RULES, content('1', { thread: Array.from({ length: 24 }, () => 'more') }))).toEqual([]);
    expect(checkContent(BLUESKY_RULES, content('1', { thread: Array.from({ length: 25 }, () => 'more') }))).toEqual([
      { field: 'thread', message: '26 posts in the thread; Bluesky allows at most 25' },
    ]);
  });
});
