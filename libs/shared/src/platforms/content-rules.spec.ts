import { describe, expect, it } from '@jest/globals';
import { checkContent, checkMediaFiles, checkOutline, countGraphemes, type ContentRules } from './content-rules.js';

const rules: ContentRules = {
  displayName: 'Example',
  maxLength: 10,
  countLength: countGraphemes,
  lengthUnit: 'graphemes',
  maxLengthWithMedia: 5,
  textRequired: 'unless-media',
  maxMedia: 2,
  mediaTypes: ['image/jpeg', 'image/png'],
  maxMediaBytes: 1000,
  maxAltTextLength: 4,
  maxThreadLength: 3,
};
const jpeg = (sizeBytes = 10, altText: string | null = null) => ({ mimeType: 'image/jpeg', sizeBytes, altText });

describe('checkContent', () => {
  it('accepts content within every rule', () => {
    expect(checkContent(rules, { text: 'Hello', media: [], thread: ['Two', 'Three'] })).toEqual([]);
  });

  it('counts length as the platform does (a family emoji is one grapheme)', () => {
    expect(checkContent(rules, { text: '👨‍👩‍👧‍👦'.repeat(10), media: [], thread: [] })).toEqual([]);
    expect(checkContent(rules, { text: 'x'.repeat(11), media: [], thread: [] })).toEqual([
      { field: 'text', message: 'is 11 graphemes; Example allows at most 10' },
    ]);
  });

  it('applies the limit for posts with media, and accepts media without text where allowed', () => {
    expect(checkContent(rules, { text: 'abcdef', media: [jpeg()], thread: [] })).toEqual([
      { field: 'text', message: 'is 6 graphemes; Example allows at most 5 with an image' },
    ]);
    expect(checkContent(rules, { text: '', media: [jpeg()], thread: [] })).toEqual([]);
    expect(checkContent(rules, { text: ' ', media: [], thread: [] })).toEqual([
      { field: 'text', message: 'must not be empty without an image' },
    ]);
  });

  it('names every media problem with its position: those of the outline first, then those of the files', () => {
    const problems = checkContent(rules, {
      text: 'Hi',
      media: [jpeg(), { mimeType: 'image/gif', sizeBytes: 5000, altText: 'too long' }, jpeg()],
      thread: [],
    });
    expect(problems).toEqual([
      { field: 'media', message: '3 images attached; Example allows at most 2 images' },
      { field: 'media.1', message: 'alt text is longer than 4 characters for Example' },
      { field: 'media.1', message: 'image/gif is not accepted by Example (image/jpeg, image/png)' },
      { field: 'media.1', message: 'the file is 5 KB; Example allows 1 KB' },
    ]);
  });

  // What is known before any download: texts, threads, how many images and their alt texts.
  it('checks the outline without any file: count, alt text, length with media, threads', () => {
    const outline = {
      text: 'abcdef',
      media: [{ altText: 'too long' }, { altText: null }, { altText: null }],
      thread: ['2', '3', '4'],
    };
    expect(checkOutline(rules, outline)).toEqual([
      { field: 'text', message: 'is 6 graphemes; Example allows at most 5 with an image' },
      { field: 'media', message: '3 images attached; Example allows at most 2 images' },
      { field: 'media.0', message: 'alt text is longer than 4 characters for Example' },
      { field: 'thread', message: '4 posts in the thread; Example allows at most 3' },
    ]);
  });

  it('checks the files it knows, in their places, and leaves the others for later', () => {
    const gif = { mimeType: 'image/gif', sizeBytes: 5000 };
    expect(checkMediaFiles(rules, [undefined, gif, undefined])).toEqual([
      { field: 'media.1', message: 'image/gif is not accepted by Example (image/jpeg, image/png)' },
      { field: 'media.1', message: 'the file is 5 KB; Example allows 1 KB' },
    ]);
    expect(checkMediaFiles(rules, [undefined, undefined])).toEqual([]);
  });

  it('checks each part of a thread, and refuses threads where the platform has none', () => {
    expect(checkContent(rules, { text: 'One', media: [], thread: ['', 'x'.repeat(11)] })).toEqual([
      { field: 'thread.0', message: 'must not be empty' },
      { field: 'thread.1', message: 'is 11 graphemes; Example allows at most 10' },
    ]);
    expect(checkContent(rules, { text: 'One', media: [], thread: ['2', '3', '4'] })).toEqual([
      { field: 'thread', message: '4 posts in the thread; Example allows at most 3' },
    ]);
    expect(checkContent({ ...rules, maxThreadLength: 1 }, { text: 'One', media: [], thread: ['2'] })).toEqual([
      { field: 'thread', message: 'Example has no threads' },
    ]);
  });

  it('requires an image where the platform does', () => {
    expect(checkContent({ ...rules, mediaRequired: true }, { text: 'Hi', media: [], thread: [] })).toEqual([
      { field: 'media', message: 'Example posts need an image' },
    ]);
  });
});
