import type { ContentRules } from '../content-rules.js';

/**
 * What a LinkedIn post may be (Posts API, Images API, MultiImage API):
 * - commentary: 3000 characters, counted as LinkedIn's Java services count them (UTF-16 code units,
 *   so an emoji outside the BMP counts 2), on the text members see, not on the escaped little format;
 * - JPEG, PNG or GIF images, 1 as `media` or 2 to 20 as `multiImage`; alt text up to 4086 characters;
 * - LinkedIn documents only a pixel limit (36,152,320) for images; 5 MB is the file size the
 *   schedulers that publish to it agree on, kept as the safe bound.
 */
export const LINKEDIN_RULES: ContentRules = {
  displayName: 'LinkedIn',
  maxLength: 3000,
  countLength: (text) => text.length,
  lengthUnit: 'characters (emoji count as 2)',
  textRequired: 'unless-media',
  maxMedia: 20,
  mediaTypes: ['image/jpeg', 'image/png', 'image/gif'],
  maxMediaBytes: 5 * 1024 * 1024,
  maxAltTextLength: 4086,
  maxThreadLength: 1,
};

/**
 * A hashtag LinkedIn links (`#` then letters, marks or digits), at the start of a word: kept as is so
 * it stays a hashtag. Any other reserved character of the little format is escaped.
 */
const HASHTAG_OR_RESERVED = /(?<![\p{L}\p{N}\p{M}_])#[\p{L}\p{N}\p{M}]+|[\\|{}@[\]()<>#*_~]/gu;

/**
 * `text` as post commentary in LinkedIn's "little" text format. Its reserved characters
 * (`\ | { } @ [ ] ( ) < > # * _ ~`) must be escaped with a backslash: unescaped, LinkedIn publishes
 * the post cut short at the first one. Hashtags are left alone so they stay clickable.
 */
export function toLittleText(text: string): string {
  return text.replace(HASHTAG_OR_RESERVED, (match) => (match.length > 1 ? match : `\\${match}`));
}
