import { describe, expect, it } from '@jest/globals';
import { checkContent } from '../content-rules.js';
import { INSTAGRAM_RULES, instagramCaptionProblems } from './instagram-content.rules.js';

const words = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${prefix}${index}`).join(' ');
const jpeg = { mimeType: 'image/jpeg', sizeBytes: 1000, altText: null };

describe('Instagram content rules', () => {
  it('allows 30 hashtags and refuses 31', () => {
    expect(instagramCaptionProblems(words('#tag', 30))).toEqual([]);
    expect(instagramCaptionProblems(words('#tag', 31))).toEqual([
      'The caption has 31 hashtags; Instagram allows at most 30',
    ]);
  });

  it('counts as hashtags only what Instagram links: no numbers alone, no tags inside words or entities', () => {
    const caption = `${words('#tag', 30)} #2024 #1 issue#5 it&#39;s C#`;
    expect(instagramCaptionProblems(caption)).toEqual([]);
    expect(instagramCaptionProblems(`${words('#tag', 30)} #café`)).toHaveLength(1);
    expect(instagramCaptionProblems(`${words('#tag', 29)}\n#_underscore`)).toEqual([]);
  });

  it('allows 20 @-mentions and refuses 21, not counting e-mail addresses', () => {
    expect(instagramCaptionProblems(`${words('@friend', 20)} mail me@example.com or @.`)).toEqual([]);
    expect(instagramCaptionProblems(words('@friend', 21))).toEqual([
      'The caption has 21 @-mentions; Instagram allows at most 20',
    ]);
  });

  it('needs one to ten JPEG images of at most 8 MB', () => {
    expect(checkContent(INSTAGRAM_RULES, { text: 'caption', media: [], thread: [] })).toEqual([
      { field: 'media', message: 'Instagram posts need an image' },
    ]);
    expect(checkContent(INSTAGRAM_RULES, { text: '', media: [jpeg], thread: [] })).toEqual([]);
    expect(checkContent(INSTAGRAM_RULES, { text: '', media: Array(11).fill(jpeg), thread: [] })).toEqual([
      { field: 'media', message: '11 images attached; Instagram allows at most 10 images' },
    ]);
    const png = { mimeType: 'image/png', sizeBytes: 8 * 1024 * 1024 + 1, altText: null };
    expect(checkContent(INSTAGRAM_RULES, { text: '', media: [png], thread: [] }).map((p) => p.message)).toEqual([
      'image/png is not accepted by Instagram (image/jpeg)',
      'the file is 8388609 bytes; Instagram allows 8388608',
    ]);
  });

  it('counts the caption in UTF-16 units, never fewer than Instagram’s characters', () => {
    expect(checkContent(INSTAGRAM_RULES, { text: 'a'.repeat(2200), media: [jpeg], thread: [] })).toEqual([]);
    expect(checkContent(INSTAGRAM_RULES, { text: '🥐'.repeat(1101), media: [jpeg], thread: [] })).toEqual([
      { field: 'text', message: 'is 2202 characters; Instagram allows at most 2200' },
    ]);
  });
});
