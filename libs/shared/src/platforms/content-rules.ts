/** The images Herald stores and publishes. */
export const IMAGE_MIME_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

/** What one platform accepts in a post. Checked by {@link checkContent} before a post is saved. */
export interface ContentRules {
  /** The name used in messages, e.g. "Bluesky". */
  displayName: string;
  /** Most characters in one post, counted by `countLength`. */
  maxLength: number;
  /** How the platform counts a post's length (graphemes, UTF-16 units, X's weighted length...). */
  countLength(text: string): number;
  /** The unit `countLength` counts, for messages ("graphemes", "characters"). */
  lengthUnit: string;
  /** With media attached, a different limit (Telegram captions). */
  maxLengthWithMedia?: number;
  /** The platform refuses a post without text (most do, unless it has media). */
  textRequired: 'always' | 'unless-media';
  /** Instagram refuses a post without an image. */
  mediaRequired?: boolean;
  maxMedia: number;
  mediaTypes: readonly string[];
  maxMediaBytes: number;
  maxAltTextLength: number;
  /** Most posts in a thread (the first post included); 1: no threads. */
  maxThreadLength: number;
}

/** What the rules read of an image file: known once it is uploaded or downloaded. */
export interface MediaFile {
  mimeType: string;
  sizeBytes: number;
}

/**
 * What `POST /v1/posts` asks of one account, as known before any image is downloaded: the texts, and
 * how many images with which alt texts. Checked by {@link checkOutline}.
 */
export interface ContentOutline {
  text: string;
  media: { altText: string | null }[];
  /** The thread's later posts (text only), after `text`. */
  thread: string[];
}

/** The same, with every image's file known. */
export interface ContentToCheck extends ContentOutline {
  media: (MediaFile & { altText: string | null })[];
}

/** A rule a post breaks: where (`text`, `media.1`, `thread.0`) and why. */
export interface ContentProblem {
  field: 'text' | `media.${number}` | `thread.${number}` | 'media' | 'thread';
  message: string;
}

/** Every rule of `rules` that `content` breaks (empty when it can be posted). */
export function checkContent(rules: ContentRules, content: ContentToCheck): ContentProblem[] {
  return [...checkOutline(rules, content), ...checkMediaFiles(rules, content.media)];
}

/**
 * Every rule that needs no image bytes (texts, threads, how many images, alt texts): what can be
 * refused before anything is downloaded.
 */
export function checkOutline(rules: ContentRules, content: ContentOutline): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const name = rules.displayName;
  const hasMedia = content.media.length > 0;

  const textProblem = checkText(rules, content.text, hasMedia);
  if (textProblem) problems.push({ field: 'text', message: textProblem });

  if (rules.mediaRequired && !hasMedia) problems.push({ field: 'media', message: `${name} posts need an image` });
  if (content.media.length > rules.maxMedia) {
    const allowed = rules.maxMedia === 0 ? 'no media' : `at most ${rules.maxMedia} images`;
    problems.push({ field: 'media', message: `${content.media.length} images attached; ${name} allows ${allowed}` });
  }
  content.media.forEach((item, index) => {
    if (item.altText && [...item.altText].length > rules.maxAltTextLength) {
      problems.push({
        field: `media.${index}`,
        message: `alt text is longer than ${rules.maxAltTextLength} characters for ${name}`,
      });
    }
  });

  if (content.thread.length > 0 && rules.maxThreadLength <= 1) {
    problems.push({ field: 'thread', message: `${name} has no threads` });
  } else if (content.thread.length + 1 > rules.maxThreadLength) {
    problems.push({
      field: 'thread',
      message: `${content.thread.length + 1} posts in the thread; ${name} allows at most ${rules.maxThreadLength}`,
    });
  } else {
    content.thread.forEach((text, index) => {
      const problem = checkText(rules, text, undefined);
      if (problem) problems.push({ field: `thread.${index}`, message: problem });
    });
  }
  return problems;
}

/**
 * The rules about the image files themselves (type, size), in the post's order. `undefined` stands
 * for a file not downloaded yet, whose rules wait: uploads can be checked before downloading the rest.
 */
export function checkMediaFiles(rules: ContentRules, files: readonly (MediaFile | undefined)[]): ContentProblem[] {
  const name = rules.displayName;
  return files.flatMap((file, index): ContentProblem[] => {
    if (!file) return [];
    const field = `media.${index}` as const;
    const problems: ContentProblem[] = [];
    if (!rules.mediaTypes.includes(file.mimeType)) {
      problems.push({ field, message: `${file.mimeType} is not accepted by ${name} (${rules.mediaTypes.join(', ')})` });
    }
    if (file.sizeBytes > rules.maxMediaBytes) {
      const [size, limit] = [formatBytes(file.sizeBytes), formatBytes(rules.maxMediaBytes)];
      const [shownSize, shownLimit] =
        size === limit ? [`${file.sizeBytes} bytes`, `${rules.maxMediaBytes}`] : [size, limit];
      problems.push({ field, message: `the file is ${shownSize}; ${name} allows ${shownLimit}` });
    }
    return problems;
  });
}

/** `hasMedia` undefined: the part cannot carry images (a thread's later posts). */
function checkText(rules: ContentRules, text: string, hasMedia: boolean | undefined): string | undefined {
  if (text.trim() === '') {
    if (rules.textRequired === 'unless-media' && hasMedia) return undefined;
    const withoutImage = rules.textRequired === 'unless-media' && hasMedia !== undefined;
    return withoutImage ? 'must not be empty without an image' : 'must not be empty';
  }
  const limit = hasMedia && rules.maxLengthWithMedia !== undefined ? rules.maxLengthWithMedia : rules.maxLength;
  const length = rules.countLength(text);
  if (length <= limit) return undefined;
  const withMedia = limit === rules.maxLength ? '' : ' with an image';
  return `is ${length} ${rules.lengthUnit}; ${rules.displayName} allows at most ${limit}${withMedia}`;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** User-perceived characters: an emoji with skin tone or a flag is one (Bluesky and Mastodon count these). */
export function countGraphemes(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count += 1;
  return count;
}

const utf8 = new TextEncoder();

/** Bytes in UTF-8 (TextEncoder rather than Buffer: these rules also run in the browser). */
export function countUtf8Bytes(text: string): number {
  return utf8.encode(text).length;
}

/** Unicode code points. */
export function countCodePoints(text: string): number {
  return [...text].length;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
