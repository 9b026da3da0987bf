import { type ContentRules, countCodePoints, IMAGE_MIME_TYPES } from '../content-rules.js';

/**
 * What a Discord webhook message may be: 2000 characters of content (Unicode code points), up to 10
 * attachments of at most 10 MB each (the default upload limit, which webhooks get), each with a
 * description (alt text) of up to 1024 characters.
 */
export const DISCORD_RULES: ContentRules = {
  displayName: 'Discord',
  maxLength: 2000,
  countLength: countCodePoints,
  lengthUnit: 'characters',
  textRequired: 'unless-media',
  maxMedia: 10,
  mediaTypes: IMAGE_MIME_TYPES,
  maxMediaBytes: 10 * 1024 * 1024,
  maxAltTextLength: 1024,
  // A webhook posts to one channel; Herald does not open threads there.
  maxThreadLength: 1,
};
