/** 32 bytes in base64: the form of ENCRYPTION_KEY and of every DECRYPTION_KEYS entry. */
export const ENCRYPTION_KEY_PATTERN = /^[A-Za-z0-9+/]{43}=$/;

/** DECRYPTION_KEYS' comma-separated entries, blank ones skipped. */
export function parseDecryptionKeys(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * What is wrong with DECRYPTION_KEYS next to ENCRYPTION_KEY, one line per bad entry. Entries are named
 * by position, never quoted: a malformed entry may still be most of a real key.
 */
export function decryptionKeysProblems(encryptionKey: string, decryptionKeys: string): string[] {
  const entries = parseDecryptionKeys(decryptionKeys);
  return entries.flatMap((entry, index) => {
    const name = `DECRYPTION_KEYS: entry ${index + 1}`;
    if (!ENCRYPTION_KEY_PATTERN.test(entry)) return [`${name} must be 32 bytes encoded as base64 (44 characters)`];
    if (entry === encryptionKey) return [`${name} is ENCRYPTION_KEY itself; list only the other keys to read with`];
    const first = entries.indexOf(entry);
    return first < index ? [`${name} repeats entry ${first + 1}`] : [];
  });
}
