import { DomainError } from '@app/shared';

/** ISO 8601 date-time with an explicit offset or Z: a time without a zone is ambiguous, so it is refused. */
export const ISO_DATE_TIME_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/;

/** How far in the past `publishAt` may be (clock skew, slow clients) before it is refused. */
const PAST_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * Parses an ISO 8601 date-time with offset, refusing impossible calendar values that `new Date`
 * would silently roll over (2030-02-31 is not 2030-03-03).
 */
export function parseIsoDateTime(value: string): Date | null {
  const match = ISO_DATE_TIME_WITH_OFFSET.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  const daysInMonth = new Date(Date.UTC(year!, month, 0)).getUTCDate();
  const valid =
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysInMonth &&
    hour! <= 23 &&
    minute! <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  if (!valid) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The publish time of a post: now when omitted; refused when malformed or over 5 minutes past. */
export function resolvePublishAt(value: string | undefined, now = Date.now()): Date {
  if (value === undefined) return new Date(now);
  const publishAt = parseIsoDateTime(value);
  if (!publishAt) {
    throw DomainError.validation([{ field: 'publishAt', message: 'publishAt is not a real date-time' }]);
  }
  if (publishAt.getTime() < now - PAST_TOLERANCE_MS) {
    throw DomainError.validation([{ field: 'publishAt', message: 'publishAt is more than 5 minutes in the past' }]);
  }
  return publishAt;
}
