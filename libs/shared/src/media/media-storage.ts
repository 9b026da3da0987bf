/**
 * Where media bytes live. Keys come from {@link mediaStorageKey}; the database row (media.storage_key)
 * is the only record of which key holds which file.
 */
export abstract class MediaStorage {
  abstract put(key: string, bytes: Buffer, mimeType: string): Promise<void>;
  /** Rejects with {@link MissingMediaError} when nothing is stored under `key`. */
  abstract read(key: string): Promise<Buffer>;
  /** Succeeds when nothing is stored under `key`. */
  abstract delete(key: string): Promise<void>;
  /**
   * A time-limited link that serves the file straight from the store, or null when the store has
   * none (the backend then serves the file through its own signed link).
   */
  abstract directUrl(key: string, expiresInSeconds: number): Promise<string | null>;
}

export class MissingMediaError extends Error {
  constructor(key: string) {
    super(`No media stored under ${key}`);
    this.name = 'MissingMediaError';
  }
}

/** `ab/cd/abcd…`: sharded by the id's first characters, so no folder (or S3 prefix) grows huge. */
export function mediaStorageKey(mediaId: string): string {
  return `${mediaId.slice(0, 2)}/${mediaId.slice(2, 4)}/${mediaId}`;
}
