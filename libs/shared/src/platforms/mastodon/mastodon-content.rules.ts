// twitter-text is CommonJS and assigns `module.exports = exports.default`: only its default import works in Node ESM.
import twitterText from 'twitter-text';
import { type ContentRules, countGraphemes, IMAGE_MIME_TYPES } from '../content-rules.js';

/**
 * Mastodon's default post length (StatusLengthValidator). Instances may raise it, and Herald checks a post
 * before it knows which instance it goes to, so the default is assumed: a longer post is refused here even
 * where the instance would take it.
 */
export const MASTODON_MAX_CHARACTERS = 500;

/** Mastodon has no thread limit of its own; this keeps a scheduled thread to a sane size. */
const MAX_THREAD_LENGTH = 25;

/** Every URL counts as this many characters, however long it is. */
const URL_WEIGHT = 23;
/** twitter-text's longest URL (punycode domain included); anything longer is counted as plain text. */
const MAX_URL_LENGTH = 4096;
const MAX_MENTION_DOMAIN_LENGTH = 253;

export const MASTODON_RULES: ContentRules = {
  displayName: 'Mastodon',
  maxLength: MASTODON_MAX_CHARACTERS,
  countLength: mastodonLength,
  lengthUnit: 'characters',
  textRequired: 'unless-media',
  maxMedia: 4,
  mediaTypes: IMAGE_MIME_TYPES,
  // MediaAttachment::IMAGE_LIMIT is 16 MB, validated as "less than".
  maxMediaBytes: 16 * 1024 * 1024 - 1,
  maxAltTextLength: 1500,
  maxThreadLength: MAX_THREAD_LENGTH,
};

/*
 * Mastodon finds URLs with twitter-text's regular expression, widened by its initializer
 * `config/initializers/twitter_regex.rb`: more protocols, and any non-space character in paths and
 * (non-ASCII) queries. Ported here without the `u` flag, because twitter-text's domain pattern is not
 * valid in unicode mode; astral characters are therefore written as surrogate pairs.
 */
const WHITE_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const PATH_CHAR = `[^${WHITE_SPACE}<>()?]`;
const BALANCED_PARENS = `\\((?:${PATH_CHAR}+|${PATH_CHAR}*\\(${PATH_CHAR}+\\)${PATH_CHAR}*)\\)`;
const PATH_ENDING = `(?:[^${WHITE_SPACE}()?!*"'「」<>;:=,.$%\\[\\]~&|@]|${BALANCED_PARENS})`;
const PATH = `(?:${PATH_CHAR}*(?:${BALANCED_PARENS}${PATH_CHAR}*)*${PATH_ENDING}|${PATH_CHAR}+/)`;
const UCHARS = '\\u00A0-\\uD7FF\\uE000-\\uF8FF\\uF900-\\uFDCF\\uFDF0-\\uFFEF';
const ASTRAL = '[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]';
const QUERY_CHAR = `(?:[a-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@^${UCHARS}]|${ASTRAL})`;
const QUERY_ENDING = `(?:[a-z0-9_&=#/\\-${UCHARS}]|${ASTRAL})`;

const URL_PATTERN = new RegExp(
  `(?<before>${twitterText.regexen.validUrlPrecedingChars.source})` +
    '(?<url>' +
    '(?<protocol>(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://)?' +
    `(?<domain>${twitterText.regexen.validDomain.source})` +
    `(?::${twitterText.regexen.validPortNumber.source})?` +
    `(?:/${PATH}*)?` +
    `(?:\\?${QUERY_CHAR}*${QUERY_ENDING})?` +
    ')',
  'gi',
);

const WORD = '\\p{L}\\p{M}\\p{N}\\p{Pc}';

/** `@user` or `@user@domain`, as Mastodon's Account::MENTION_RE finds them. */
export const MASTODON_MENTION = new RegExp(
  `(?<![=/${WORD}])@(?<username>[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@(?<domain>[${WORD}]+(?:[.-]+[${WORD}]+)*))?`,
  'giu',
);

interface Entity {
  start: number;
  end: number;
  /** What the entity counts as. */
  replacement: string;
}

/**
 * A post's length as Mastodon's StatusLengthValidator counts it: grapheme clusters of the stripped text,
 * where every URL with a protocol counts as 23 and a mention `@user@domain` as `@user`.
 */
export function mastodonLength(text: string): number {
  const stripped = text.replace(/^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g, '');
  return countGraphemes(rewrite(stripped, withoutOverlaps([...urls(stripped), ...mentions(stripped)])));
}

function urls(text: string): Entity[] {
  if (!text.includes(':')) return [];
  const found: Entity[] = [];
  for (const match of text.matchAll(URL_PATTERN)) {
    const { before, protocol, domain } = match.groups as Record<string, string | undefined>;
    let url = match.groups?.url ?? '';
    // extract_url_without_protocol: false — "example.com" is counted as the text it is.
    if (!protocol || !domain) continue;
    // twitter-text's t.co rule, which Mastodon inherits: nothing after the slug belongs to the URL.
    const tco = twitterText.regexen.validTcoUrl.exec(url);
    if (tco) {
      if ((tco[1] ?? '').length > 40) continue;
      url = tco[0];
    }
    const asciiDomain = domainToAscii(domain);
    if (asciiDomain === '' || url.length + Math.max(0, asciiDomain.length - domain.length) > MAX_URL_LENGTH) continue;
    const start = match.index + (before ?? '').length;
    found.push({ start, end: start + url.length, replacement: 'x'.repeat(URL_WEIGHT) });
  }
  return found;
}

function mentions(text: string): Entity[] {
  if (!text.includes('@')) return [];
  const found: Entity[] = [];
  for (const match of text.matchAll(MASTODON_MENTION)) {
    const end = match.index + match[0].length;
    if (twitterText.regexen.endMentionMatch.test(text.slice(end))) continue;
    const { username, domain } = match.groups as { username: string; domain?: string };
    if (domain !== undefined && domain.length > MAX_MENTION_DOMAIN_LENGTH) continue;
    found.push({ start: match.index, end, replacement: `@${username}` });
  }
  return found;
}

/** twitter-text's remove_overlapping_entities: by start, an entity overlapping the one kept before it goes. */
function withoutOverlaps(entities: Entity[]): Entity[] {
  const kept: Entity[] = [];
  for (const entity of [...entities].sort((a, b) => a.start - b.start)) {
    const previous = kept.at(-1);
    if (!previous || previous.end <= entity.start) kept.push(entity);
  }
  return kept;
}

function rewrite(text: string, entities: Entity[]): string {
  let result = '';
  let cursor = 0;
  for (const entity of entities) {
    result += text.slice(cursor, entity.start) + entity.replacement;
    cursor = entity.end;
  }
  return result + text.slice(cursor);
}

/** The domain as URLs carry it (IDNA, punycode); empty when it is no valid host. WHATWG URL: also in browsers. */
function domainToAscii(domain: string): string {
  try {
    return new URL(`http://${domain}`).hostname;
  } catch {
    return '';
  }
}
