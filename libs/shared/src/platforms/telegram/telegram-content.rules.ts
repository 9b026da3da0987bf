import type { ContentRules, MediaFile } from '../content-rules.js';

/**
 * What a Telegram message may be, as the Bot API checks it: 4096 characters of text, or a caption of
 * 1024 under an image, both counted in UTF-16 code units (the unit of Telegram's entity offsets; an
 * emoji outside the Basic Multilingual Plane counts as 2). Photos go up to 10 MB; a GIF goes out as an
 * animation, which cannot share an album with photos.
 */
export const TELEGRAM_RULES: ContentRules = {
  displayName: 'Telegram',
  maxLength: 4096,
  maxLengthWithMedia: 1024,
  countLength: (text) => text.length,
  lengthUnit: 'characters (an emoji counts as 2)',
  textRequired: 'unless-media',
  // An album (sendMediaGroup) holds 2 to 10 photos.
  maxMedia: 10,
  mediaTypes: ['image/jpeg', 'image/png', 'image/webp', 'image/gif'],
  maxMediaBytes: 10 * 1024 * 1024,
  // Telegram has no alt text: Herald accepts it for other platforms and does not send it to Telegram.
  maxAltTextLength: Number.MAX_SAFE_INTEGER,
  // A channel has no threads.
  maxThreadLength: 1,
};

/** Known as soon as one GIF is: the post's other images, downloaded or not, would share its album. */
export function telegramMediaProblems(files: readonly (MediaFile | undefined)[]): string[] {
  const hasGif = files.some((file) => file?.mimeType === 'image/gif');
  if (hasGif && files.length > 1) {
    return ['a GIF must be the only image of a Telegram post: albums hold photos only'];
  }
  return [];
}
