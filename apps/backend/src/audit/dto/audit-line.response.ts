import type { AuditLine } from '@app/shared';

/** A line of the audit log as GET /v1/audit shows it. */
export interface AuditLineResponse {
  id: string;
  /** The user, API key, operator or Herald process that made the change; `label` as it was then. */
  who: AuditLine['actor'];
  /** What was done, named like the event it emits (`account.removed`). */
  what: string;
  subject: AuditLine['subject'];
  details: Record<string, unknown>;
  ip: string | null;
  requestId: string | null;
  at: string;
}

export interface AuditPageResponse {
  items: AuditLineResponse[];
  nextCursor: string | null;
}

export function toAuditLineResponse(line: AuditLine): AuditLineResponse {
  return {
    id: line.id,
    who: line.actor,
    what: line.action,
    subject: line.subject,
    details: line.details,
    ip: line.ip,
    requestId: line.requestId,
    at: line.createdAt.toISOString(),
  };
}
