import type { PlatformName } from '@app/shared';

/** A post as a platform emulator recorded it, in terms every platform shares. */
export interface EmulatedPost {
  /** The platform's id of the post, as Herald stores it in `platformPostId`. */
  id: string;
  text: string;
  /** The images attached, with their alt text (empty string when none) and their bytes' length. */
  media: { altText: string; sizeBytes: number }[];
  /** The id of the post this one answers (threads), as the platform gives it. */
  replyToId?: string;
}

/** A fault for the emulator to answer with (see the kit's `EmulatorFault`). */
export interface PublishFault {
  status?: number;
  count?: number;
  delayMs?: number;
  afterRecord?: boolean;
  dropConnection?: boolean;
}

/** One platform on its running emulator, as the platform-wide end-to-end tests drive it. */
export interface RunningPlatform {
  /** Valid credentials for `POST /v1/accounts` (each call gives a different account). */
  newCredentials(): Record<string, unknown>;
  /** Credentials the platform refuses (to test the 400 on adding an account). */
  badCredentials(): Record<string, unknown>;
  /** Revokes what `credentials` grants: later calls with it get the platform's 401. */
  revoke(credentials: Record<string, unknown>): void;
  /** Every post published so far, oldest first. */
  posts(): EmulatedPost[];
  /** Makes the next publish call(s) fail; 429 carries the platform's rate-limit headers. */
  failNextPublish(fault: PublishFault): void;
  /** Makes the next call(s), whatever they are, fail (a 401 at sign-in as much as at publishing). */
  failNextCall(fault: PublishFault): void;
  reset(): void;
}

/**
 * How tests (and `npm start`) use a platform's emulator. `emulators/registry.ts` names each emulator's
 * fixtures; it starts the emulator, one for all the platforms it serves.
 */
export interface PlatformFixture<Emulator> {
  platform: PlatformName;
  /** The platform has threads (X, Bluesky, Threads, Mastodon). */
  threads: boolean;
  /** The platform needs an image on every post (Instagram). */
  imageRequired: boolean;
  /** A 429 says when the limit lifts (in headers or body); LinkedIn's and Threads' do not. */
  reportsRateLimitReset: boolean;
  /** The part of `newCredentials()`'s credentials no error message may show. */
  secretOf(credentials: Record<string, unknown>): string;
  /** A text that breaks the platform's length rule. */
  tooLongText: string;
  /** Environment variables that point Herald at `emulator` (its URL, and the OAuth app it knows). */
  env(emulator: Emulator): Record<string, string>;
  /** Drives `emulator` as this platform. */
  attach(emulator: Emulator): RunningPlatform;
}
