import { describe, expect, it } from '@jest/globals';
import { checkContent, type ContentToCheck } from '../content-rules.js';
import {
  countThreadsLinks,
  isSameThreadsText,
  THREADS_RULES,
  threadsLinkProblems,
  threadsTextLength,
} from './threads-content.rules.js';

const post = (text: string, extra: Partial<ContentToCheck> = {}): ContentToCheck => ({
  text,
  media: [],
  thread: [],
  ...extra,
});
const image = (extra: Partial<ContentToCheck['media'][number]> = {}) => ({
  mimeType: 'image/png',
  sizeBytes: 1024,
  altText: null,
  ...extra,
});

describe('threadsTextLength: characters count 1, emoji count their UTF-8 bytes', () => {
  it.each([
    ['plain ASCII', 'Hello', 5],
    ['accented letter (one code point)', 'é', 1],
    ['letter plus combining accent (two code points)', 'e\u0301', 2],
    ['CJK', '字字', 2],
    ['simple emoji', '😀', 4],
    ['heart with variation selector', '❤️', 6],
    ['thumbs up with skin tone', '👍🏽', 8],
    ['flag', '🇫🇷', 8],
    ['keycap', '1️⃣', 7],
    ['family joined with ZWJ', '👨‍👩‍👧', 18],
    ['text and emoji', 'Hi 😀!', 8],
  ])('%s', (_name, text, expected) => {
    expect(threadsTextLength(text)).toBe(expected);
  });
});

describe('THREADS_RULES through checkContent', () => {
  it('allows 500 and refuses 501, counting emoji by bytes', () => {
    expect(checkContent(THREADS_RULES, post('a'.repeat(500)))).toEqual([]);
    expect(checkContent(THREADS_RULES, post('😀'.repeat(125)))).toEqual([]);
    expect(checkContent(THREADS_RULES, post('😀'.repeat(126)))).toEqual([
      { field: 'text', message: 'is 504 characters (emoji count as their UTF-8 bytes); Threads allows at most 500' },
    ]);
  });

  it('needs text unless there is an image', () => {
    expect(checkContent(THREADS_RULES, post(' '))).toEqual([
      { field: 'text', message: 'must not be empty without an image' },
    ]);
    expect(checkContent(THREADS_RULES, post('', { media: [image()] }))).toEqual([]);
  });

  it('takes up to 20 JPEG or PNG images of at most 8 MB, with alt text up to 1000 characters', () => {
    expect(checkContent(THREADS_RULES, post('x', { media: Array.from({ length: 20 }, () => image()) }))).toEqual([]);
    expect(checkContent(THREADS_RULES, post('x', { media: Array.from({ length: 21 }, () => image()) }))).toEqual([
      { field: 'media', message: '21 images attached; Threads allows at most 20 images' },
    ]);
    const problems = checkContent(
      THREADS_RULES,
      post('x', {
        media: [
          image({ mimeType: 'image/jpeg', sizeBytes: 8 * 1024 * 1024, altText: 'a'.repeat(1000) }),
          image({ mimeType: 'image/gif' }),
          image({ sizeBytes: 8 * 1024 * 1024 + 1 }),
          image({ altText: 'a'.repeat(1001) }),
        ],
      }),
    );
    expect(problems.map((problem) => problem.field)).toEqual(['media.3', 'media.1', 'media.2']);
  });

  it('takes threads of up to 25 posts, each within the length limit', () => {
    expect(checkContent(THREADS_RULES, post('first', { thread: Array.from({ length: 24 }, () => 'next') }))).toEqual(
      [],
    );
    expect(checkContent(THREADS_RULES, post('first', { thread: Array.from({ length: 25 }, () => 'next') }))).toEqual([
      { field: 'thread', message: '26 posts in the thread; Threads allows at most 25' },
    ]);
    expect(checkContent(THREADS_RULES, post('first', { thread: ['ok', '😀'.repeat(126)] }))).toEqual([
      {
        field: 'thread.1',
        message: 'is 504 characters (emoji count as their UTF-8 bytes); Threads allows at most 500',
      },
    ]);
  });
});

describe('links', () => {
  const links = (count: number) => Array.from({ length: count }, (_, i) => `https://example.com/${i}`).join(' ');

  it('counts unique URLs, with or without a scheme, ignoring trailing punctuation', () => {
    expect(countThreadsLinks('see https://a.example/x, https://a.example/x. and www.b.example!')).toBe(2);
    expect(countThreadsLinks('no links here, just a sentence.')).toBe(0);
  });

  it('refuses more than 5 links in any post of a thread', () => {
    expect(threadsLinkProblems(post(links(5), { thread: [links(5)] }))).toEqual([]);
    expect(threadsLinkProblems(post(links(6), { thread: ['fine', links(7)] }))).toEqual([
      'The post has 6 links; Threads allows at most 5',
      'Thread part 3 has 7 links; Threads allows at most 5',
    ]);
  });
});

describe('isSameThreadsText', () => {
  it('compares texts the way Threads may return them', () => {
    expect(isSameThreadsText('line one\nline two', ' line one\r\nline two ')).toBe(true);
    expect(isSameThreadsText('café', 'cafe\u0301')).toBe(true);
    expect(isSameThreadsText(undefined, '')).toBe(true);
    expect(isSameThreadsText('one', 'two')).toBe(false);
  });
});
