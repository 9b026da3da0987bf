/**
 * Who made a change, as the audit log and the events outbox record it: a signed-in user, an API key,
 * the operator (ADMIN_TOKEN) or Herald itself (worker, scheduler). `label` is the user's email or the
 * key's name at the time, kept if the user or key later goes.
 */
export type Actor =
  | { type: 'user'; id: string; label: string }
  | { type: 'api_key'; id: string; label: string }
  | { type: 'operator'; label: 'operator' }
  | { type: 'system'; label: string };

export const ACTOR_TYPES = ['user', 'api_key', 'operator', 'system'] as const satisfies readonly Actor['type'][];
export type ActorType = Actor['type'];

/** Where a change came from, beside who made it. */
export interface ActionOrigin {
  actor: Actor;
  /** The client's address as the rate limits resolve it (TRUSTED_PROXIES); none for system changes. */
  ip?: string;
  requestId?: string;
}

export const OPERATOR: Actor = { type: 'operator', label: 'operator' };

export const systemActor = (processName: string): Actor => ({ type: 'system', label: processName });
