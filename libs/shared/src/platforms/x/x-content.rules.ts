// twitter-text is CommonJS and assigns `module.exports = exports.default`, so Node's ESM loader sees only
// a default export: named imports (`import { parseTweet }`) fail at runtime. Import the default.
import twitterText from 'twitter-text';
import { type ContentRules, IMAGE_MIME_TYPES } from '../content-rules.js';

/** X's weighted length of `text` (twitter-text v3): every URL counts as 23, emoji and CJK characters as 2. */
export function xWeightedLength(text: string): number {
  return twitterText.parseTweet(text).weightedLength;
}

/**
 * What X accepts in a post: 280 weighted characters; up to 4 images (JPEG, PNG, GIF, WebP) of at most 5 MB
 * with alt text of at most 1000 characters; a post may be media alone. X's API does not limit a thread
 * (each part is a reply); 25 is the most X's own composer lets a person post at once.
 */
export const X_CONTENT_RULES: ContentRules = {
  displayName: 'X',
  maxLength: 280,
  countLength: xWeightedLength,
  lengthUnit: 'weighted characters',
  textRequired: 'unless-media',
  maxMedia: 4,
  mediaTypes: IMAGE_MIME_TYPES,
  maxMediaBytes: 5 * 1024 * 1024,
  maxAltTextLength: 1000,
  maxThreadLength: 25,
};

/**
 * Whether a post's text as X returns it is the text Herald sent. X wraps every URL as a t.co link, escapes
 * &, < and > as HTML entities and, when the post has media, ends the text with one more t.co link (to its
 * photos); so URLs are compared by position only, entities are decoded and that last link is dropped.
 */
export function isSameXText(published: string, content: string, options: { hasMedia?: boolean } = {}): boolean {
  const withoutMediaLink = options.hasMedia ? published.replace(/\s*https:\/\/t\.co\/\w+\s*$/, '') : published;
  const decoded = withoutMediaLink.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return comparable(decoded) === comparable(content);
}

function comparable(text: string): string {
  let masked = '';
  let cursor = 0;
  for (const { indices } of twitterText.extractUrlsWithIndices(text)) {
    masked += `${text.slice(cursor, indices[0])}\u0000url\u0000`;
    cursor = indices[1];
  }
  return (masked + text.slice(cursor)).normalize('NFC').trim();
}
