import { describe, expect, it } from '@jest/globals';
import { checkContent, type ContentToCheck } from '../content-rules.js';
import { MASTODON_RULES, mastodonLength } from './mastodon-content.rules.js';

const post = (text: string, extra: Partial<ContentToCheck> = {}): ContentToCheck => ({
  text,
  media: [],
  thread: [],
  ...extra,
});
const problems = (content: ContentToCheck) => checkContent(MASTODON_RULES, content);
const image = (extra: Partial<ContentToCheck['media'][number]> = {}) => ({
  mimeType: 'image/png',
  sizeBytes: 1024,
  altText: null,
  ...extra,
});

describe('mastodonLength', () => {
  it('counts user-perceived characters (grapheme clusters), not code units or code points', () => {
    expect(mastodonLength('hello')).toBe(5);
    expect(mastodonLength('👨‍👩‍👧‍👦')).toBe(1);
    expect(mastodonLength('🇫🇷👍🏽')).toBe(2);
    expect(mastodonLength('e\u0301')).toBe(1);
    expect(mastodonLength('字'.repeat(10))).toBe(10);
  });

  it('does not count the whitespace Mastodon strips from both ends', () => {
    expect(mastodonLength('  padded \n\t')).toBe(6);
    expect(mastodonLength('a \n b')).toBe(5);
  });

  it('counts every URL with a protocol as 23, however long', () => {
    expect(mastodonLength(`https://example.com/${'path/'.repeat(100)}end`)).toBe(23);
    expect(mastodonLength('see https://x.co')).toBe(4 + 23);
    expect(mastodonLength('HTTP://EXAMPLE.COM/Page?q=1')).toBe(23);
    expect(mastodonLength('gemini://gemini.circumlunar.space/docs/')).toBe(23);
    expect(mastodonLength('https://ja.wikipedia.org/wiki/東京都 ok')).toBe(23 + 3);
  });

  it('counts a URL without a protocol as the text it is', () => {
    expect(mastodonLength('example.com/some/page')).toBe(21);
  });

  it('leaves trailing punctuation out of a URL, balanced parentheses in', () => {
    expect(mastodonLength('https://example.com.')).toBe(24);
    expect(mastodonLength('(https://example.com/Foo_(bar))')).toBe(25);
  });

  it('counts a mention @user@domain as @user', () => {
    expect(mastodonLength('@alice@mastodon.social hi')).toBe('@alice hi'.length);
    expect(mastodonLength('@alice hi')).toBe(9);
    expect(mastodonLength('cc @Bob.Smith@sub.example.org')).toBe('cc @Bob.Smith'.length);
  });

  it('does not take e-mail addresses or unfinished mentions for mentions', () => {
    expect(mastodonLength('mail alice@mastodon.social')).toBe(26);
    expect(mastodonLength('@alice@')).toBe(7);
  });

  it('counts a mention inside a URL as part of the URL', () => {
    expect(mastodonLength('https://example.com/path,@carol@other.example')).toBe(23);
  });
});

describe('MASTODON_RULES', () => {
  it('allows 500 characters, as counted by Mastodon', () => {
    expect(problems(post('a'.repeat(500)))).toEqual([]);
    expect(problems(post('a'.repeat(501)))).toEqual([
      { field: 'text', message: 'is 501 characters; Mastodon allows at most 500' },
    ]);
    const longUrls = Array.from({ length: 20 }, (_, index) => `https://example.com/${'x'.repeat(100)}/${index}`);
    expect(problems(post(longUrls.join(' ')))).toEqual([]);
  });

  it('needs text unless an image is attached', () => {
    expect(problems(post('  '))).toEqual([{ field: 'text', message: 'must not be empty without an image' }]);
    expect(problems(post('', { media: [image()] }))).toEqual([]);
  });

  it('takes up to 4 JPEG, PNG, GIF or WebP images under 16 MB, with alt text up to 1500 characters', () => {
    const types = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
    expect(problems(post('ok', { media: types.map((mimeType) => image({ mimeType })) }))).toEqual([]);
    expect(problems(post('five', { media: Array.from({ length: 5 }, () => image()) }))).toEqual([
      { field: 'media', message: '5 images attached; Mastodon allows at most 4 images' },
    ]);
    expect(problems(post('almost', { media: [image({ sizeBytes: 16 * 1024 * 1024 - 1 })] }))).toEqual([]);
    expect(problems(post('too big', { media: [image({ sizeBytes: 16 * 1024 * 1024 })] }))).toHaveLength(1);
    expect(problems(post('svg', { media: [image({ mimeType: 'image/svg+xml' })] }))).toHaveLength(1);
    expect(problems(post('alt', { media: [image({ altText: 'é'.repeat(1500) })] }))).toEqual([]);
    expect(problems(post('alt', { media: [image({ altText: 'a'.repeat(1501) })] }))).toEqual([
      { field: 'media.0', message: 'alt text is longer than 1500 characters for Mastodon' },
    ]);
  });

  it('has threads of up to 25 posts', () => {
    expect(problems(post('1', { thread: Array.from({ length: 24 }, (_, index) => `${index + 2}`) }))).toEqual([]);
    expect(problems(post('1', { thread: Array.from({ length: 25 }, (_, index) => `${index + 2}`) }))).toEqual([
      { field: 'thread', message: '26 posts in the thread; Mastodon allows at most 25' },
    ]);
    expect(problems(post('1', { thread: ['a'.repeat(501)] }))).toEqual([
      { field: 'thread.0', message: 'is 501 characters; Mastodon allows at most 500' },
    ]);
  });
});
