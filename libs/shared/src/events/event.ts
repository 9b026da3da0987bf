/**
 * What the `events` outbox reports. Each is written in the transaction of the change it reports, so an
 * event exists exactly when its change committed.
 */
export const EVENT_TYPES = [
  'post.created',
  'post.updated',
  'post.submitted_for_approval',
  'post.approved',
  'post.rejected',
  'post.cancelled',
  'post.retried',
  'post.comment_added',
  'target.published',
  'target.failed',
  'target.unknown',
  'target.missed',
  'account.connected',
  'account.reconnected',
  'account.needs_reauth',
  'account.removed',
  'account.paused',
  'account.resumed',
  'workspace.paused',
  'workspace.resumed',
  'workspace.settings_changed',
  'member.invited',
  'member.joined',
  'member.role_changed',
  'member.removed',
  'api_key.created',
  'api_key.revoked',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An event as written: its type and the ids and facts a reader needs (never secrets or credentials). */
export interface NewEvent {
  type: EventType;
  data: Record<string, unknown>;
}

export interface HeraldEvent extends NewEvent {
  /** Global and increasing in the order events are read (see EventCursor); gaps allowed. */
  id: string;
  workspaceId: string;
  createdAt: Date;
}

/**
 * Where a reader of the outbox is. Events are read in the order of their transaction id, then their id:
 * a transaction still running may hold an event with a lower id than one already committed, but never
 * a lower transaction id than the oldest still running, which is how far a read goes.
 */
export interface EventCursor {
  txId: string;
  eventId: string;
}
