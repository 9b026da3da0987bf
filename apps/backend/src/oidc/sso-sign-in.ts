/** What the provider said about the person, and what Herald already knows about them. */
export interface SsoSignInFacts {
  /** The user this (issuer, subject) identity already signs in, if any. */
  identityUserId: string | null;
  email: string | null;
  /** Only `email_verified: true` counts: absent or anything else is unverified. */
  emailVerified: boolean;
  /** The user who already has this email, if any. */
  userWithEmailId: string | null;
}

export type SsoSignIn =
  /** The identity signed in before: the same user, whatever the email says now. */
  | { kind: 'sign_in'; userId: string }
  /** A new identity for an existing user, proven by an email the provider verified. */
  | { kind: 'link'; userId: string }
  /** A new person: a user without password, and their identity. */
  | { kind: 'create'; email: string }
  | { kind: 'refuse'; reason: 'no_email' | 'email_unverified' };

/**
 * Who a single sign-on signs in. A new identity needs an email the provider verified, whether or not a
 * user has it: linking on an unverified email would let whoever typed someone's address at the provider
 * into their account, and creating a user for one would squat the address (emails are unique), ready to
 * be handed the real owner's invitation. Both are refused alike, so the answer tells nobody whether an
 * account exists.
 */
export function decideSsoSignIn(facts: SsoSignInFacts): SsoSignIn {
  if (facts.identityUserId !== null) return { kind: 'sign_in', userId: facts.identityUserId };
  if (facts.email === null) return { kind: 'refuse', reason: 'no_email' };
  if (!facts.emailVerified) return { kind: 'refuse', reason: 'email_unverified' };
  if (facts.userWithEmailId !== null) return { kind: 'link', userId: facts.userWithEmailId };
  return { kind: 'create', email: facts.email };
}
