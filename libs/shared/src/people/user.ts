/** A person who signs in (table `users`); their workspaces and roles are their memberships. */
export interface User {
  id: string;
  /** Lower-cased: one account per address, whatever the case it is typed in. */
  email: string;
  name: string;
  /** Whether the user can sign in with a password (else only through single sign-on). */
  hasPassword: boolean;
  createdAt: Date;
}

/** Emails are compared lower-cased and trimmed. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
