import { type ContentRules, type ContentOutline, countUtf8Bytes } from '../content-rules.js';

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
/** A grapheme that is (or holds) an emoji: pictographs, flags (regional indicator pairs), keycaps. */
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;
/** Threads refuses posts with more links than this (THREADS_API__LINK_LIMIT_EXCEEDED). */
export const THREADS_MAX_LINKS = 5;

/**
 * A post's length as Threads counts it: "Text posts are limited to 500 characters. Emojis are counted
 * as the number of UTF-8 bytes." So 😀 counts 4, ❤️ 6, a family emoji joined with ZWJs 18; every
 * other character (code point) counts 1.
 */
export function threadsTextLength(text: string): number {
  let length = 0;
  for (const { segment } of segmenter.segment(text)) {
    length += EMOJI.test(segment) ? countUtf8Bytes(segment) : [...segment].length;
  }
  return length;
}

/** Unique links in `text`, as Threads counts them for its limit of 5 ("all unique URLs found in the text"). */
export function countThreadsLinks(text: string): number {
  const urls = text.match(/\b(?:https?:\/\/|www\.)[^\s<>"]+/gi) ?? [];
  return new Set(urls.map((url) => url.replace(/[.,;:!?)\]]+$/, '').toLowerCase())).size;
}

export const THREADS_RULES: ContentRules = {
  displayName: 'Threads',
  maxLength: 500,
  countLength: threadsTextLength,
  lengthUnit: 'characters (emoji count as their UTF-8 bytes)',
  textRequired: 'unless-media',
  // One image is an IMAGE post; two to twenty make a carousel.
  maxMedia: 20,
  mediaTypes: ['image/jpeg', 'image/png'],
  maxMediaBytes: 8 * 1024 * 1024,
  maxAltTextLength: 1000,
  // Every part after the first is a reply to the one before it.
  maxThreadLength: 25,
};

/** What {@link THREADS_RULES} cannot say: at most 5 links in each post of a thread. */
export function threadsLinkProblems(content: ContentOutline): string[] {
  return [content.text, ...content.thread].flatMap((text, index) => {
    const links = countThreadsLinks(text);
    if (links <= THREADS_MAX_LINKS) return [];
    const where = index === 0 ? 'The post' : `Thread part ${index + 1}`;
    return [`${where} has ${links} links; Threads allows at most ${THREADS_MAX_LINKS}`];
  });
}

/** Whether a post's text as Threads returns it is the text Herald sent. */
export function isSameThreadsText(published: string | undefined, sent: string): boolean {
  return comparable(published ?? '') === comparable(sent);
}

const comparable = (text: string) => text.replace(/\r\n?/g, '\n').normalize('NFC').trim();
