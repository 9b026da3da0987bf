import { describe, expect, it } from '@jest/globals';
import { checkContent, type ContentToCheck } from '../content-rules.js';
import { DISCORD_RULES } from './discord-content.rules.js';

const photo = (altText: string | null = null, sizeBytes = 1000) => ({ mimeType: 'image/png', sizeBytes, altText });
const content = (text: string, media: ContentToCheck['media'] = []): ContentToCheck => ({ text, media, thread: [] });

describe('DISCORD_RULES', () => {
  it('counts code points: 2000 emoji fit, as do 2000 letters; 2001 do not', () => {
    expect(checkContent(DISCORD_RULES, content('🎉'.repeat(2000)))).toEqual([]);
    expect(checkContent(DISCORD_RULES, content('a'.repeat(2000)))).toEqual([]);
    expect(checkContent(DISCORD_RULES, content('a'.repeat(2001)))).toEqual([
      { field: 'text', message: 'is 2001 characters; Discord allows at most 2000' },
    ]);
    // A family emoji is 7 code points (4 people, 3 joiners).
    expect(checkContent(DISCORD_RULES, content('👩‍👩‍👧‍👦'.repeat(286)))[0].message).toBe(
      'is 2002 characters; Discord allows at most 2000',
    );
  });

  it('keeps the same limit with images, and allows images without text', () => {
    expect(checkContent(DISCORD_RULES, content('a'.repeat(2000), [photo()]))).toEqual([]);
    expect(checkContent(DISCORD_RULES, content('', [photo()]))).toEqual([]);
    expect(checkContent(DISCORD_RULES, content(' '))).toEqual([
      { field: 'text', message: 'must not be empty without an image' },
    ]);
  });

  it('allows 10 images of 10 MB with alt text of 1024 characters, and no threads', () => {
    expect(
      checkContent(
        DISCORD_RULES,
        content(
          '',
          Array.from({ length: 10 }, () => photo('x'.repeat(1024))),
        ),
      ),
    ).toEqual([]);
    expect(
      checkContent(
        DISCORD_RULES,
        content(
          '',
          Array.from({ length: 11 }, () => photo()),
        ),
      ),
    ).toHaveLength(1);
    expect(checkContent(DISCORD_RULES, content('', [photo('x'.repeat(1025))]))).toEqual([
      { field: 'media.0', message: 'alt text is longer than 1024 characters for Discord' },
    ]);
    expect(checkContent(DISCORD_RULES, content('', [photo(null, 10 * 1024 * 1024 + 1)]))).toHaveLength(1);
    expect(checkContent(DISCORD_RULES, { text: 'a', media: [], thread: ['b'] })).toEqual([
      { field: 'thread', message: 'Discord has no threads' },
    ]);
  });
});
