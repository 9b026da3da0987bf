import { MASTODON_MENTION } from './mastodon-content.rules.js';

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00A0' };

/**
 * Whether a status's `content`, the HTML Mastodon renders from the text it was sent, says what `text` says.
 * Mastodon escapes the text, splits it into paragraphs and `<br />` lines, wraps links in spans that hide
 * part of the URL, and shows a resolved mention `@user@domain` as `@user`: so both sides are reduced to
 * words separated by single spaces, with mentions shortened, before comparing.
 */
export function isSameStatusText(content: string, text: string): boolean {
  return comparable(plainTextOf(content)) === comparable(text);
}

/** The text a status's HTML `content` shows (every span of a link included, hidden or not). */
export function plainTextOf(content: string): string {
  const withBreaks = content.replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>\s*<p[^>]*>/gi, '\n\n');
  return decodeEntities(withBreaks.replace(/<[^>]*>/g, ''));
}

function comparable(text: string): string {
  return text
    .normalize('NFC')
    .replace(MASTODON_MENTION, (mention: string, username: string) => `@${username}`)
    .replace(/\s+/g, ' ')
    .trim();
}

function decodeEntities(html: string): string {
  return html.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity: string, name: string) => {
    if (name.startsWith('#')) {
      const codePoint = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
  });
}
