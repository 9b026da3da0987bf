import { parseDecryptionKeys } from './encryption-keys.js';

/**
 * The secrets `.env.example` ships for the local demo: anyone can read them, so production refuses them.
 * test/static/deployment.spec.ts keeps this list equal to the secret values in `.env.example`.
 */
export const DEMO_SECRETS: Readonly<Record<string, string>> = {
  ENCRYPTION_KEY: 'TyF9OETZ4EuaySHz0+N2IsUvsEP83rGfe/34DnJE/FI=',
  ADMIN_TOKEN: 'change-me-demo-admin-token',
};

/** An admin token this repetitive (sixteen `a`) is guessable whatever its length. */
const MIN_DISTINCT_ADMIN_TOKEN_CHARACTERS = 8;

/** Why these secrets must not run a production deployment; empty when they may. */
export function productionSecretProblems(secrets: Record<string, unknown>): string[] {
  const problems = Object.entries(DEMO_SECRETS)
    .filter(([name, demo]) => secrets[name] === demo)
    .map(([name]) => `${name}: is the public demo value from .env.example; production needs a secret of its own`);
  // The demo key is public even as a key only read with: whoever holds it could forge OAuth states and media links.
  const decryptionKeys = typeof secrets.DECRYPTION_KEYS === 'string' ? secrets.DECRYPTION_KEYS : '';
  parseDecryptionKeys(decryptionKeys).forEach((key, index) => {
    if (key === DEMO_SECRETS.ENCRYPTION_KEY) {
      problems.push(
        `DECRYPTION_KEYS: entry ${index + 1} is the public demo ENCRYPTION_KEY from .env.example; production needs keys of its own`,
      );
    }
  });
  const adminToken = secrets.ADMIN_TOKEN;
  if (typeof adminToken === 'string' && new Set(adminToken).size < MIN_DISTINCT_ADMIN_TOKEN_CHARACTERS) {
    problems.push(
      `ADMIN_TOKEN: must have at least ${MIN_DISTINCT_ADMIN_TOKEN_CHARACTERS} distinct characters in production (e.g. openssl rand -base64 24)`,
    );
  }
  return problems;
}
