// twitter-text is CommonJS and assigns `module.exports = exports.default`, so Node's ESM loader sees only
// a default export: named imports (`import { parseTweet }`) fail at runtime. Import the default.
import twitterText from 'twitter-text';

/** X's limit on a post's weighted length (twitter-text v3 rules). */
export const X_MAX_WEIGHTED_LENGTH = 280;

/**
 * Every way `content` breaks X's rules for a post (empty when it can be posted).
 * Length is X's weighted length: every URL counts as 23, emoji and CJK characters count as 2.
 */
export function validateXContent(content: string): string[] {
  if (content.trim().length === 0) return ['content must not be empty'];

  const { weightedLength } = twitterText.parseTweet(content);
  if (weightedLength > X_MAX_WEIGHTED_LENGTH) {
    return [
      `content is ${weightedLength} weighted characters; X allows at most ${X_MAX_WEIGHTED_LENGTH} ` +
        '(URLs count as 23, emoji and CJK as 2)',
    ];
  }
  return [];
}

/** X's weighted length of `text`. */
export function xWeightedLength(text: string): number {
  return twitterText.parseTweet(text).weightedLength;
}

/**
 * Whether a post's text as X returns it is the text Herald sent. X wraps every URL as a t.co link and
 * escapes &, < and > as HTML entities, so URLs are compared by position only and entities are decoded.
 */
export function isSameXText(published: string, content: string): boolean {
  const decoded = published.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
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
