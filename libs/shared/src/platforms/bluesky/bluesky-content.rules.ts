import {
  type ContentRules,
  type ContentOutline,
  countGraphemes,
  countUtf8Bytes,
  IMAGE_MIME_TYPES,
} from '../content-rules.js';

/** app.bsky.feed.post#text: `maxGraphemes: 300, maxLength: 3000` (the latter in UTF-8 bytes). */
export const BLUESKY_MAX_GRAPHEMES = 300;
export const BLUESKY_MAX_TEXT_BYTES = 3000;

/**
 * What a Bluesky post may be, from the app.bsky lexicons and the Bluesky app:
 * - text: 300 graphemes, as the PDS counts them (Intl.Segmenter), and at most 3000 UTF-8 bytes;
 * - images: 4 per post (app.bsky.embed.images), any `image/*` up to 2,000,000 bytes (the lexicon's
 *   blob `maxSize`, raised from 1 MB), alt text up to 2000 characters (the Bluesky app's limit;
 *   the lexicon sets none);
 * - threads: replies chain without limit on Bluesky; Herald stops at 25 posts.
 */
export const BLUESKY_RULES: ContentRules = {
  displayName: 'Bluesky',
  maxLength: BLUESKY_MAX_GRAPHEMES,
  countLength: countGraphemes,
  lengthUnit: 'graphemes',
  textRequired: 'unless-media',
  maxMedia: 4,
  mediaTypes: IMAGE_MIME_TYPES,
  maxMediaBytes: 2_000_000,
  maxAltTextLength: 2000,
  maxThreadLength: 25,
};

/** The byte limit, which {@link ContentRules} cannot express: 300 graphemes of emoji can exceed it. */
export function blueskyContentProblems(content: ContentOutline): string[] {
  const texts = [
    { where: 'the text', text: content.text },
    ...content.thread.map((text, index) => ({ where: `thread post ${index + 1}`, text })),
  ];
  return texts
    .filter(({ text }) => countUtf8Bytes(text) > BLUESKY_MAX_TEXT_BYTES)
    .map(
      ({ where, text }) =>
        `${where} is ${countUtf8Bytes(text)} bytes in UTF-8; Bluesky allows at most ${BLUESKY_MAX_TEXT_BYTES}`,
    );
}
