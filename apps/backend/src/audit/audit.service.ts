import { Injectable } from '@nestjs/common';
import { AuditLogRepository, DomainError, TransactionRunner, type FieldProblem } from '@app/shared';
import { parseIsoDateTime } from '../posts/publish-at.js';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor.js';
import { toAuditLineResponse, type AuditPageResponse } from './dto/audit-line.response.js';
import type { AuditQuery } from './dto/audit.query.js';

/** Reads a workspace's audit log (its lines are written by each change's own service). */
@Injectable()
export class AuditService {
  constructor(
    private readonly audit: AuditLogRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  async list(workspaceId: string, query: AuditQuery): Promise<AuditPageResponse> {
    const { from, to } = timeWindow(query);
    const beforeId = query.cursor ? decodeAuditCursor(query.cursor) : undefined;
    const page = await this.transactions.forWorkspace(workspaceId, (tx) =>
      this.audit.findPage(tx, {
        workspaceId,
        action: query.action,
        actorType: query.actorType,
        actorId: query.actorId,
        subjectType: query.subjectType,
        subjectId: query.subjectId,
        from,
        to,
        beforeId,
        limit: query.limit + 1,
      }),
    );
    const items = page.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map(toAuditLineResponse),
      nextCursor: page.length > query.limit && last ? encodeAuditCursor(last.id) : null,
    };
  }
}

/** `from` and `to` as times, refusing impossible dates and a window that ends before it starts. */
function timeWindow(query: AuditQuery): { from?: Date; to?: Date } {
  const problems: FieldProblem[] = [];
  const parse = (field: 'from' | 'to'): Date | undefined => {
    const value = query[field];
    if (value === undefined) return undefined;
    const date = parseIsoDateTime(value);
    if (!date) problems.push({ field, message: `${field} is not a valid date-time` });
    return date ?? undefined;
  };
  const from = parse('from');
  const to = parse('to');
  if (from && to && to <= from) problems.push({ field: 'to', message: 'to must be later than from' });
  if (problems.length > 0) throw DomainError.validation(problems);
  return { from, to };
}
