import twitterText from 'twitter-text';
import { HttpProblem } from '../kit/emulator-server.js';

/**
 * What Mastodon's REST API looks like on the wire: error bodies, ids, rate-limit headers, its length
 * rule, the HTML it renders statuses as, and its Account, MediaAttachment and Status entities.
 * Written from Mastodon's documentation and source, independently of Herald's provider.
 */

export const MAX_CHARACTERS = 500;
export const MAX_MEDIA_PER_STATUS = 4;
/** MediaAttachment::IMAGE_LIMIT; Paperclip validates "less than". */
export const IMAGE_LIMIT_BYTES = 16 * 1024 * 1024;
export const MAX_DESCRIPTION_LENGTH = 1500;
/** Rack::Attack's limit for authenticated API calls: 300 per 5 minutes. */
export const RATE_LIMIT = 300;
export const RATE_LIMIT_PERIOD_SECONDS = 5 * 60;

/** `{ "error": "..." }`, the body of every Mastodon API error. */
export const mastodonError = (status: number, message: string) => new HttpProblem(status, { error: message });

export const validationFailed = (...problems: string[]) =>
  mastodonError(422, `Validation failed: ${problems.join(', ')}`);

/** The body Mastodon answers a status with when nothing more specific is known. */
export function errorBody(status: number, message: string): { error: string } {
  const known: Record<number, string> = {
    401: 'The access token is invalid',
    403: 'This action is not allowed',
    404: 'Record not found',
    422: message,
    429: 'Too many requests',
    500: "We're sorry, but something went wrong on our end.",
    503: 'There was a temporary problem serving your request, please try again',
  };
  return { error: known[status] ?? message };
}

/** X-RateLimit-Reset is an ISO 8601 time with microseconds, as Ruby's `iso8601(6)` writes it. */
export function rateLimitHeaders(remaining: number, resetsAt: Date): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(RATE_LIMIT),
    'X-RateLimit-Remaining': String(Math.max(0, remaining)),
    'X-RateLimit-Reset': resetsAt.toISOString().replace(/Z$/, '000Z'),
  };
}

/** Mastodon's snowflake ids: milliseconds shifted left 16 bits, plus a sequence; strictly increasing. */
export function snowflakeIds(): () => string {
  let last = 0n;
  return () => {
    const candidate = BigInt(Date.now()) << 16n;
    last = candidate > last ? candidate : last + 1n;
    return last.toString();
  };
}

const WORD = '\\p{L}\\p{M}\\p{N}\\p{Pc}';
/** Account::MENTION_RE. */
const MENTION = new RegExp(
  `(?<![=/${WORD}])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@([${WORD}]+(?:[.-]+[${WORD}]+)*))?`,
  'giu',
);
const END_OF_MENTION = /^(?:[@＠]|:\/\/)/;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

interface Entity {
  start: number;
  end: number;
  url?: string;
  username?: string;
  domain?: string;
}

/** Status#prepare_contents strips the text (ASCII whitespace and NUL, as Ruby's String#strip). */
export const stripText = (text: string) => text.replace(/^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g, '');

/** StatusLengthValidator: graphemes, with each URL counted as 23 and `@user@domain` as `@user`. */
export function statusLength(text: string): number {
  const stripped = stripText(text);
  let countable = '';
  let cursor = 0;
  for (const entity of entitiesOf(stripped)) {
    countable += stripped.slice(cursor, entity.start) + (entity.url ? 'x'.repeat(23) : `@${entity.username}`);
    cursor = entity.end;
  }
  countable += stripped.slice(cursor);
  return [...graphemes.segment(countable)].length;
}

/** URLs with a protocol and mentions, without overlaps, in order. */
function entitiesOf(text: string): Entity[] {
  const urls: Entity[] = twitterText
    .extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false })
    .map(({ url, indices }) => ({ start: indices[0], end: indices[1], url }));
  const mentions: Entity[] = [];
  for (const match of text.matchAll(MENTION)) {
    const end = match.index + match[0].length;
    if (END_OF_MENTION.test(text.slice(end))) continue;
    mentions.push({ start: match.index, end, username: match[1], domain: match[2] });
  }
  const kept: Entity[] = [];
  for (const entity of [...urls, ...mentions].sort((a, b) => a.start - b.start)) {
    if (kept.length === 0 || kept[kept.length - 1].end <= entity.start) kept.push(entity);
  }
  return kept;
}

const escapeHtml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/**
 * The HTML `content` Mastodon's TextFormatter renders: escaped text, links shortened to 30 visible
 * characters (the rest in hidden spans), mentions of accounts it knows as `@username` links (a remote
 * `@user@domain` loses its domain), paragraphs and `<br />` line breaks.
 */
export function renderContent(text: string, profileUrl: (username: string, domain?: string) => string | undefined) {
  const stripped = stripText(text).replace(/\r\n?/g, '\n');
  if (stripped === '') return '';
  let html = '';
  let cursor = 0;
  for (const entity of entitiesOf(stripped)) {
    const href = entity.url ? undefined : profileUrl(entity.username!, entity.domain);
    if (!entity.url && !href) continue;
    html += escapeHtml(stripped.slice(cursor, entity.start));
    html += entity.url ? shortenedLink(entity.url) : mentionLink(entity.username!, href!);
    cursor = entity.end;
  }
  html += escapeHtml(stripped.slice(cursor));
  return html
    .split(/\n\n+/)
    .map((paragraph) => `<p>${paragraph.replace(/([^\n]\n)(?=[^\n])/g, '$1<br />').replace(/\n/g, '')}</p>`)
    .join('');
}

function shortenedLink(url: string): string {
  const prefix = /^(https?:\/\/(www\.)?|xmpp:)/.exec(url)?.[0] ?? '';
  const rest = url.slice(prefix.length);
  const ellipsis = rest.length > 30 ? 'ellipsis' : '';
  return (
    `<a href="${escapeHtml(url)}" target="_blank" rel="nofollow noopener" translate="no">` +
    `<span class="invisible">${escapeHtml(prefix)}</span><span class="${ellipsis}">${escapeHtml(rest.slice(0, 30))}</span>` +
    `<span class="invisible">${escapeHtml(rest.slice(30))}</span></a>`
  );
}

const mentionLink = (username: string, href: string) =>
  `<span class="h-card" translate="no"><a href="${escapeHtml(href)}" class="u-url mention">@<span>${escapeHtml(username)}</span></a></span>`;

/** What Paperclip's content sniffing finds in the bytes (the declared type is not trusted). */
export function sniffImageType(data: Buffer): 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp' | undefined {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (/^GIF8[79]a/.test(data.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') {
    return 'image/webp';
  }
  return undefined;
}

export interface EmulatedAccount {
  id: string;
  username: string;
  createdAt: Date;
}

export interface StoredMedia {
  id: string;
  accountId: string;
  mimeType: string;
  data: Buffer;
  description: string | null;
  /** When processing ends; GIFs are converted to video (gifv) in the background. */
  readyAt: Date;
  statusId?: string;
}

export interface StoredStatus {
  id: string;
  accountId: string;
  text: string;
  content: string;
  visibility: string;
  inReplyToId: string | null;
  inReplyToAccountId: string | null;
  media: StoredMedia[];
  createdAt: Date;
}

export const isProcessed = (media: StoredMedia, now = new Date()) => media.readyAt <= now;

export function accountEntity(account: EmulatedAccount, origin: string, statusesCount: number) {
  const avatar = `${origin}/avatars/original/missing.png`;
  const header = `${origin}/headers/original/missing.png`;
  return {
    id: account.id,
    username: account.username,
    acct: account.username,
    display_name: account.username,
    locked: false,
    bot: false,
    discoverable: true,
    group: false,
    created_at: startOfDay(account.createdAt),
    note: '',
    url: `${origin}/@${account.username}`,
    uri: `${origin}/users/${account.username}`,
    avatar,
    avatar_static: avatar,
    header,
    header_static: header,
    followers_count: 0,
    following_count: 0,
    statuses_count: statusesCount,
    last_status_at: null,
    emojis: [],
    fields: [],
  };
}

/** verify_credentials answers a CredentialAccount: the account plus its `source` settings. */
export function credentialAccountEntity(account: EmulatedAccount, origin: string, statusesCount: number) {
  return {
    ...accountEntity(account, origin, statusesCount),
    source: { privacy: 'public', sensitive: false, language: null, note: '', fields: [], follow_requests_count: 0 },
  };
}

export function mediaEntity(media: StoredMedia, origin: string) {
  const extension = media.mimeType === 'image/gif' ? 'mp4' : media.mimeType.split('/')[1].replace('jpeg', 'jpg');
  const path = `${origin}/system/media_attachments/files/${media.id}`;
  return {
    id: media.id,
    type: media.mimeType === 'image/gif' ? 'gifv' : 'image',
    url: isProcessed(media) ? `${path}/original/${media.id}.${extension}` : null,
    preview_url: `${path}/small/${media.id}.png`,
    remote_url: null,
    preview_remote_url: null,
    text_url: null,
    meta: {},
    description: media.description,
    blurhash: null,
  };
}

export function statusEntity(
  status: StoredStatus,
  account: ReturnType<typeof accountEntity>,
  origin: string,
  repliesCount: number,
) {
  return {
    id: status.id,
    created_at: status.createdAt.toISOString(),
    in_reply_to_id: status.inReplyToId,
    in_reply_to_account_id: status.inReplyToAccountId,
    sensitive: false,
    spoiler_text: '',
    visibility: status.visibility,
    language: 'en',
    uri: `${account.uri}/statuses/${status.id}`,
    url: `${account.url}/${status.id}`,
    replies_count: repliesCount,
    reblogs_count: 0,
    favourites_count: 0,
    edited_at: null,
    content: status.content,
    reblog: null,
    application: { name: 'Herald', website: null },
    account,
    media_attachments: status.media.map((media) => mediaEntity(media, origin)),
    mentions: [],
    tags: [],
    emojis: [],
    card: null,
    poll: null,
  };
}

/** Mastodon reports an account's creation date at midnight. */
const startOfDay = (date: Date) => `${date.toISOString().slice(0, 10)}T00:00:00.000Z`;
