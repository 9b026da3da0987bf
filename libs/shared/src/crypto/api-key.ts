import { createHash, randomBytes } from 'node:crypto';

const API_KEY_PREFIX = 'hk_';
const API_KEY_SHAPE = /^hk_[A-Za-z0-9_-]{43}$/;

/** A new API key: 32 random bytes, prefixed so it is recognisable in a secret scanner. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Whether `token` has the form of a key {@link generateApiKey} makes (not whether such a key exists). */
export function looksLikeApiKey(token: string): boolean {
  return API_KEY_SHAPE.test(token);
}

/** Keys carry 256 bits of entropy, so a plain SHA-256 is enough to store them (no slow hash needed). */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}
