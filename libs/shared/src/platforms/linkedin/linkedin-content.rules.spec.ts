import { describe, expect, it } from '@jest/globals';
import { renderLittleText } from '../../../../../emulators/linkedin/linkedin-wire.js';
import { checkContent, type ContentToCheck } from '../content-rules.js';
import { LINKEDIN_RULES, toLittleText } from './linkedin-content.rules.js';

const MB = 1024 * 1024;
const png = (altText: string | null = null, sizeBytes = 1000) => ({ mimeType: 'image/png', sizeBytes, altText });
const content = (text: string, media: ContentToCheck['media'] = [], thread: string[] = []): ContentToCheck => ({
  text,
  media,
  thread,
});

describe('LinkedIn content rules', () => {
  it('counts commentary in UTF-16 code units, as LinkedIn does: an emoji outside the BMP counts 2', () => {
    expect(checkContent(LINKEDIN_RULES, content('a'.repeat(3000)))).toEqual([]);
    expect(checkContent(LINKEDIN_RULES, content('é'.repeat(3000)))).toEqual([]);
    expect(checkContent(LINKEDIN_RULES, content('a'.repeat(2999) + '👋'))).toEqual([
      { field: 'text', message: 'is 3001 characters (emoji count as 2); LinkedIn allows at most 3000' },
    ]);
  });

  it('counts the text members see, not the backslashes little format adds', () => {
    const text = '(x)'.repeat(1000);
    expect(toLittleText(text)).toHaveLength(5000);
    expect(checkContent(LINKEDIN_RULES, content(text))).toEqual([]);
  });

  it('takes up to 20 JPEG, PNG or GIF images of 5 MB, with or without text', () => {
    const twenty = Array.from({ length: 20 }, () => png('x'.repeat(4086), 5 * MB));
    expect(checkContent(LINKEDIN_RULES, content('', twenty))).toEqual([]);
    expect(checkContent(LINKEDIN_RULES, content(''))).toEqual([
      { field: 'text', message: 'must not be empty without an image' },
    ]);

    expect(checkContent(LINKEDIN_RULES, content('x', [...twenty, png()]))).toEqual([
      { field: 'media', message: '21 images attached; LinkedIn allows at most 20 images' },
    ]);
    const problems = checkContent(
      LINKEDIN_RULES,
      content('x', [
        { mimeType: 'image/webp', sizeBytes: 10, altText: null },
        png(null, 5 * MB + 1),
        png('x'.repeat(4087)),
      ]),
    );
    expect(problems).toEqual([
      { field: 'media.2', message: 'alt text is longer than 4086 characters for LinkedIn' },
      { field: 'media.0', message: 'image/webp is not accepted by LinkedIn (image/jpeg, image/png, image/gif)' },
      { field: 'media.1', message: 'the file is 5242881 bytes; LinkedIn allows 5242880' },
    ]);
  });

  it('has no threads', () => {
    expect(checkContent(LINKEDIN_RULES, content('first', [], ['second']))).toEqual([
      { field: 'thread', message: 'LinkedIn has no threads' },
    ]);
  });
});

describe('toLittleText', () => {
  it('escapes every reserved character of the little format', () => {
    expect(toLittleText('\\ | { } @ [ ] ( ) < > # * _ ~')).toBe(
      '\\\\ \\| \\{ \\} \\@ \\[ \\] \\( \\) \\< \\> \\# \\* \\_ \\~',
    );
    expect(toLittleText('Plain words, émojis 👋 and 100% & "quotes".')).toBe(
      'Plain words, émojis 👋 and 100% & "quotes".',
    );
  });

  it('keeps hashtags that start a word, so LinkedIn links them', () => {
    expect(toLittleText('#Launch day: #café #2026 (#big_news)')).toBe('#Launch day: #café #2026 \\(#big\\_news\\)');
    expect(toLittleText('C# and a#b and ## and #')).toBe('C\\# and a\\#b and \\#\\# and \\#');
  });

  it('gives back, once LinkedIn renders it, exactly the text written', () => {
    const samples = [
      'Launch (beta) at 9:00 — see [notes] & mail me @ team_lead #Herald C# *fast* ~ok~ <3 {x|y} \\o/',
      '@[Acme Corp](urn:li:organization:1234) is not a mention here',
      '{hashtag|#|Technology} is not a template here',
      'Ends with a backslash \\',
      '\\#notatag and \\\\#atag',
      ...fuzz(200),
    ];
    for (const text of samples) {
      expect(renderLittleText(toLittleText(text))).toEqual({ text, truncated: false });
    }
  });
});

/** Deterministic strings dense in reserved characters, hashtags and surrogate pairs. */
function fuzz(count: number): string[] {
  const alphabet = [...'\\|{}@[]()<>#*_~ a1é', '👋', '#tag', 'x_', '\n'];
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + (next() % 30) }, () => alphabet[next() % alphabet.length]).join(''),
  );
}
