/** A person's (or an API key's) role in a workspace, from least to most trusted. */
export const ROLES = ['viewer', 'editor', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** Roles an API key may hold: owning a workspace (deleting it, handing it over) is for people only. */
export const API_KEY_ROLES = ['viewer', 'editor', 'admin'] as const satisfies readonly Role[];
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/**
 * Whether `held` may do what `needed` may: each role may do everything the roles below it may.
 * Viewers read; editors also write posts; admins also approve and manage accounts, keys, members and
 * settings; owners also delete or hand over the workspace.
 */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
