import { describe, expect, it } from '@jest/globals';
import { checkContent, type ContentToCheck } from '../content-rules.js';
import { TELEGRAM_RULES, telegramMediaProblems } from './telegram-content.rules.js';

const photo = (mimeType = 'image/jpeg', sizeBytes = 1000) => ({ mimeType, sizeBytes, altText: null });
const content = (text: string, media: ContentToCheck['media'] = []): ContentToCheck => ({ text, media, thread: [] });

describe('TELEGRAM_RULES', () => {
  it('allows 4096 characters of text and refuses 4097', () => {
    expect(checkContent(TELEGRAM_RULES, content('a'.repeat(4096)))).toEqual([]);
    expect(checkContent(TELEGRAM_RULES, content('a'.repeat(4097)))).toEqual([
      { field: 'text', message: 'is 4097 characters (an emoji counts as 2); Telegram allows at most 4096' },
    ]);
  });

  it('counts in UTF-16 code units: an emoji outside the BMP is 2, a CJK character 1', () => {
    expect(checkContent(TELEGRAM_RULES, content('🎉'.repeat(2048)))).toEqual([]);
    expect(checkContent(TELEGRAM_RULES, content(`${'🎉'.repeat(2047)}ab`))).toEqual([]);
    expect(checkContent(TELEGRAM_RULES, content(`${'🎉'.repeat(2048)}a`))[0].message).toMatch(/^is 4097 /);
    expect(checkContent(TELEGRAM_RULES, content('字'.repeat(4096)))).toEqual([]);
  });

  it('allows a caption of 1024 under images, and refuses 1025', () => {
    expect(checkContent(TELEGRAM_RULES, content('a'.repeat(1024), [photo()]))).toEqual([]);
    expect(checkContent(TELEGRAM_RULES, content('a'.repeat(1025), [photo()]))).toEqual([
      {
        field: 'text',
        message: 'is 1025 characters (an emoji counts as 2); Telegram allows at most 1024 with an image',
      },
    ]);
  });

  it('allows an image without text, up to 10 images of 10 MB, and no threads', () => {
    expect(checkContent(TELEGRAM_RULES, content('', [photo()]))).toEqual([]);
    expect(
      checkContent(
        TELEGRAM_RULES,
        content(
          '',
          Array.from({ length: 10 }, () => photo()),
        ),
      ),
    ).toEqual([]);
    expect(
      checkContent(
        TELEGRAM_RULES,
        content(
          '',
          Array.from({ length: 11 }, () => photo()),
        ),
      ),
    ).toHaveLength(1);
    expect(checkContent(TELEGRAM_RULES, content('', [photo('image/png', 10 * 1024 * 1024 + 1)]))).toEqual([
      { field: 'media.0', message: 'the file is 10485761 bytes; Telegram allows 10485760' },
    ]);
    expect(checkContent(TELEGRAM_RULES, { text: 'one', media: [], thread: ['two'] })).toEqual([
      { field: 'thread', message: 'Telegram has no threads' },
    ]);
  });

  it('accepts alt text of any length: Telegram has none, so it is not sent', () => {
    const described = { ...photo(), altText: 'x'.repeat(5000) };
    expect(checkContent(TELEGRAM_RULES, content('', [described]))).toEqual([]);
  });
});

describe('telegramMediaProblems', () => {
  const albumRefusal = 'a GIF must be the only image of a Telegram post: albums hold photos only';

  it('lets a GIF go alone (as an animation) but not in an album', () => {
    expect(telegramMediaProblems([photo('image/gif')])).toEqual([]);
    expect(telegramMediaProblems([photo(), photo('image/webp')])).toEqual([]);
    expect(telegramMediaProblems([photo(), photo('image/gif')])).toEqual([albumRefusal]);
  });

  it('refuses a GIF beside images not downloaded yet, whatever they turn out to be', () => {
    expect(telegramMediaProblems([photo('image/gif'), undefined])).toEqual([albumRefusal]);
    expect(telegramMediaProblems([undefined, photo()])).toEqual([]);
  });
});
