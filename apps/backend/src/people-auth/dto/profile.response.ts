import type { Role } from '@app/shared';

/** Who is signed in, where they belong, and the CSRF token their script sends on changes. */
export interface ProfileResponse {
  user: { id: string; email: string; name: string; hasPassword: boolean; createdAt: Date };
  workspaces: { id: string; name: string; role: Role }[];
  /** Send it in X-CSRF-Token on every request that changes something (not GET). */
  csrfToken: string;
}

export interface SessionResponse {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
  /** The session this request came with. */
  current: boolean;
}
