import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/transaction-runner.js';
import type { ActionOrigin } from '../people/actor.js';

/** One change, as the audit log records it. `action` names it like an event type (`post.created`). */
export interface AuditEntry {
  action: string;
  subject?: { type: string; id: string };
  /** What changed, for a person reading the log: never secrets, tokens or credentials. */
  details?: Record<string, unknown>;
}

/** The append-only audit log (table `audit_log`): who changed what, when and from where. */
@Injectable()
export class AuditLogRepository {
  /** Records a change in the caller's transaction, so the line exists exactly when the change does. */
  async record(tx: Tx, workspaceId: string, origin: ActionOrigin, entry: AuditEntry): Promise<void> {
    const { actor } = origin;
    await tx.query(
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
}
