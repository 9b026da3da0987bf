import { Injectable } from '@nestjs/common';
import { type SqlQuery, preparedRows, sqlRows } from '../database/sql-rows.js';
import type { Tx } from '../database/transaction-runner.js';
import type { ActionOrigin, ActorType } from '../people/actor.js';

/** One change, as the audit log records it. `action` names it like an event type (`post.created`). */
export interface AuditEntry {
  action: string;
  subject?: { type: string; id: string };
  /** What changed, for a person reading the log: never secrets, tokens or credentials. */
  details?: Record<string, unknown>;
}

/** A line of the audit log as read back. */
export interface AuditLine {
  /** Increasing in the order lines were written (gaps allowed). */
  id: string;
  actor: { type: ActorType; id: string | null; label: string };
  action: string;
  subject: { type: string; id: string | null } | null;
  details: Record<string, unknown>;
  ip: string | null;
  requestId: string | null;
  createdAt: Date;
}

/** Which lines of one workspace to read, newest first. Every filter is optional; all given must hold. */
export interface AuditPageQuery {
  workspaceId: string;
  /** One action (`account.removed`), or, ending in `.*`, a family of them (`account.*`). */
  action?: string;
  actorType?: ActorType;
  actorId?: string;
  subjectType?: string;
  subjectId?: string;
  /** Lines written at or after `from`, and before `to`. */
  from?: Date;
  to?: Date;
  /** Lines older than this id (the last line of the previous page). */
  beforeId?: string;
  limit: number;
}

interface AuditRow {
  id: string;
  actor_type: ActorType;
  actor_id: string | null;
  actor_label: string;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  request_id: string | null;
  created_at: Date;
}

/** The append-only audit log (table `audit_log`): who changed what, when and from where. */
@Injectable()
export class AuditLogRepository {
  /** Records a change in the caller's transaction, so the line exists exactly when the change does. */
  async record(tx: Tx, workspaceId: string, origin: ActionOrigin, entry: AuditEntry): Promise<void> {
    const { actor } = origin;
    await preparedRows(
      tx,
      `INSERT INTO audit_log (workspace_id, actor_type, actor_id, actor_label, action, subject_type, subject_id,
                              details, ip, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        workspaceId,
        actor.type,
        'id' in actor ? actor.id : null,
        actor.label,
        entry.action,
        entry.subject?.type ?? null,
        entry.subject?.id ?? null,
        JSON.stringify(entry.details ?? {}),
        origin.ip ?? null,
        origin.requestId ?? null,
      ],
    );
  }

  /** A page of a workspace's lines, newest first (see auditPageQuery). */
  async findPage(tx: Tx, query: AuditPageQuery): Promise<AuditLine[]> {
    const { text, values } = auditPageQuery(query);
    const rows = await sqlRows<AuditRow>(tx, text, values);
    return rows.map(toAuditLine);
  }
}

/**
 * A page of a workspace's audit lines, newest first, keyset-paginated on id: through
 * `audit_log_workspace_idx`, or `audit_log_subject_idx` / `audit_log_actor_idx` when the query names a
 * subject or an actor. Exported so the plan test EXPLAINs exactly this.
 */
export function auditPageQuery(query: AuditPageQuery): SqlQuery {
  const family = query.action?.endsWith('.*');
  return {
    text: `SELECT id, actor_type, actor_id, actor_label, action, subject_type, subject_id, details, ip, request_id,
                  created_at
             FROM audit_log
            WHERE workspace_id = $1
              AND ($2::text IS NULL OR action = $2)
              AND ($3::text IS NULL OR starts_with(action, $3))
              AND ($4::text IS NULL OR actor_type = $4)
              AND ($5::uuid IS NULL OR actor_id = $5)
              AND ($6::text IS NULL OR subject_type = $6)
              AND ($7::uuid IS NULL OR subject_id = $7)
              AND ($8::timestamptz IS NULL OR created_at >= $8)
              AND ($9::timestamptz IS NULL OR created_at < $9)
              AND ($10::bigint IS NULL OR id < $10)
            ORDER BY id DESC
            LIMIT $11`,
    values: [
      query.workspaceId,
      family ? null : (query.action ?? null),
      family ? query.action!.slice(0, -1) : null,
      query.actorType ?? null,
      query.actorId ?? null,
      query.subjectType ?? null,
      query.subjectId ?? null,
      query.from ?? null,
      query.to ?? null,
      query.beforeId ?? null,
      query.limit,
    ],
  };
}

function toAuditLine(row: AuditRow): AuditLine {
  return {
    id: row.id,
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    action: row.action,
    subject: row.subject_type === null ? null : { type: row.subject_type, id: row.subject_id },
    details: row.details,
    ip: row.ip,
    requestId: row.request_id,
    createdAt: row.created_at,
  };
}
