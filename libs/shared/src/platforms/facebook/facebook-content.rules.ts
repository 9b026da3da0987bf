import type { ContentRules } from '../content-rules.js';
import { graphTextLength } from '../meta-graph/graph-text.js';

/**
 * A Facebook Page post. Photos: JPEG, PNG or GIF (Graph also takes BMP and TIFF, which Herald does not
 * store), each under 10 MB; an animated GIF is posted as a still. Graph documents no maximum number of
 * photos in one post (`attached_media`) nor a length for `alt_text_custom`: Herald keeps to 10 photos,
 * like an Instagram carousel, and to Instagram's 1,000 characters of alt text.
 */
export const FACEBOOK_RULES: ContentRules = {
  displayName: 'Facebook',
  maxLength: 63_206,
  countLength: graphTextLength,
  lengthUnit: 'characters',
  textRequired: 'unless-media',
  maxMedia: 10,
  mediaTypes: ['image/jpeg', 'image/png', 'image/gif'],
  maxMediaBytes: 10 * 1024 * 1024 - 1,
  maxAltTextLength: 1_000,
  maxThreadLength: 1,
};
