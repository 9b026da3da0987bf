import type { EventType } from '../events/event.js';

/** What a person can be alerted about; each member chooses which they get, per workspace. */
export const ALERT_KINDS = ['failed', 'unknown', 'missed', 'needsReauth'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** A member's choice for each kind: true gets the alert. */
export type AlertPreferences = Record<AlertKind, boolean>;

/** What a member who never chose gets: everything. */
export const ALL_ALERTS_ON: AlertPreferences = { failed: true, unknown: true, missed: true, needsReauth: true };

const KIND_OF_EVENT: Partial<Record<EventType, AlertKind>> = {
  'target.failed': 'failed',
  'target.unknown': 'unknown',
  'target.missed': 'missed',
  'account.needs_reauth': 'needsReauth',
};

/** The alert an event raises, or null for the events nobody is alerted about. */
export const alertKindOf = (type: EventType): AlertKind | null => KIND_OF_EVENT[type] ?? null;
