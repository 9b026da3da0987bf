import { Injectable } from '@nestjs/common';
import { AuditLogRepository, EventRepository, type ActionOrigin, type EventType, type Tx } from '@app/shared';

/** One change as both the outbox and the audit log report it. */
export interface Change {
  type: EventType;
  subject: { type: string; id: string };
  /** Ids and facts a reader needs, never secrets: the event's data and the audit line's details. */
  data: Record<string, unknown>;
}

/**
 * Writes the events of changes to the outbox and their lines to the audit log, in the transaction of the
 * changes: both exist exactly when the changes committed. Events name who acted by id, never by email.
 */
@Injectable()
export class ChangeRecorder {
  constructor(
    private readonly events: EventRepository,
    private readonly audit: AuditLogRepository,
  ) {}

  async record(tx: Tx, workspaceId: string, origin: ActionOrigin, changes: Change[]): Promise<void> {
    const { actor } = origin;
    const by = { type: actor.type, ...('id' in actor ? { id: actor.id } : {}) };
    await this.events.append(
      tx,
      workspaceId,
      changes.map((change) => ({
        type: change.type,
        data: { ...change.data, [`${change.subject.type}Id`]: change.subject.id, by },
      })),
    );
    for (const change of changes) {
      await this.audit.record(tx, workspaceId, origin, {
        action: change.type,
        subject: change.subject,
        details: change.data,
      });
    }
  }
}
