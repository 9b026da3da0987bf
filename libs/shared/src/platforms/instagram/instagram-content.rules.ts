import type { ContentRules } from '../content-rules.js';
import { graphTextLength } from '../meta-graph/graph-text.js';

/**
 * An Instagram feed post through the Content Publishing API: one image or a carousel of up to 10, JPEG only
 * ("Extended JPEG formats such as MPO and JPS are not supported"), 8 MB each; a caption of up to 2,200
 * characters. Alt text (`alt_text`) has no documented limit; Herald keeps it to 1,000 characters.
 */
export const INSTAGRAM_RULES: ContentRules = {
  displayName: 'Instagram',
  maxLength: 2_200,
  countLength: graphTextLength,
  lengthUnit: 'characters',
  textRequired: 'unless-media',
  mediaRequired: true,
  maxMedia: 10,
  mediaTypes: ['image/jpeg'],
  maxMediaBytes: 8 * 1024 * 1024,
  maxAltTextLength: 1_000,
  maxThreadLength: 1,
};

const MAX_HASHTAGS = 30;
const MAX_MENTIONS = 20;

/**
 * A hashtag starts a word and holds at least one letter or underscore (`#2024` is no hashtag on Instagram);
 * `&#39;` is an HTML entity, not a tag.
 */
const HASHTAG = /(?<![\p{L}\p{N}_&])#[\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*/gu;
/** An @-mention starts a word (so `me@example.com` is none) and names a username: letters, digits, `.` and `_`. */
const MENTION = /(?<![\p{L}\p{N}_.])@[A-Za-z0-9._]*[A-Za-z0-9_][A-Za-z0-9._]*/gu;

/** Instagram refuses captions with more than 30 hashtags or 20 @-mentions. */
export function instagramCaptionProblems(caption: string): string[] {
  const problems: string[] = [];
  const hashtags = caption.match(HASHTAG)?.length ?? 0;
  if (hashtags > MAX_HASHTAGS)
    problems.push(`The caption has ${hashtags} hashtags; Instagram allows at most ${MAX_HASHTAGS}`);
  const mentions = caption.match(MENTION)?.length ?? 0;
  if (mentions > MAX_MENTIONS)
    problems.push(`The caption has ${mentions} @-mentions; Instagram allows at most ${MAX_MENTIONS}`);
  return problems;
}
