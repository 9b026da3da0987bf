import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import { IMAGE_MIME_TYPES } from '../platforms/content-rules.js';
import { MediaProblem, MediaTooLarge } from './media-problem.js';

/** An image whose type and size were read from its bytes, never from what the client claimed. */
export interface InspectedImage {
  bytes: Buffer;
  mimeType: (typeof IMAGE_MIME_TYPES)[number];
  sizeBytes: number;
  /** Hex. */
  sha256: string;
}

const ACCEPTED: readonly string[] = IMAGE_MIME_TYPES;

/** Checks that `bytes` are an accepted image no larger than `maxBytes`; throws a {@link MediaProblem} otherwise. */
export async function inspectImage(bytes: Buffer, maxBytes: number): Promise<InspectedImage> {
  if (bytes.length === 0) throw new MediaProblem('is empty');
  if (bytes.length > maxBytes) {
    throw new MediaTooLarge(`is larger than the ${formatSize(maxBytes)} Herald accepts (MEDIA_MAX_BYTES)`);
  }
  const detected = (await fileTypeFromBuffer(bytes))?.mime;
  if (!detected || !ACCEPTED.includes(detected)) {
    throw new MediaProblem(
      `is ${detected ?? describeUnrecognised(bytes)}, not an image (accepted: ${ACCEPTED.join(', ')})`,
    );
  }
  return {
    bytes,
    mimeType: detected as InspectedImage['mimeType'],
    sizeBytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/**
 * file-type only knows binary formats by their magic numbers. Text has none, and text is what a
 * wrong URL usually returns (an HTML page), so name it, to make the error actionable.
 */
function describeUnrecognised(bytes: Buffer): string {
  const head = bytes.subarray(0, 1024);
  // `stream`: a character cut at the end of `head` is held back rather than decoded as U+FFFD.
  const text = new TextDecoder('utf-8').decode(head, { stream: true });
  if (head.includes(0) || text.includes('\uFFFD')) return 'an unrecognised file type';
  const start = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 256)
    .toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'text/html';
  if (start.startsWith('<svg') || (start.startsWith('<?xml') && start.includes('<svg'))) return 'image/svg+xml';
  if (start.startsWith('{') || start.startsWith('[')) return 'application/json';
  return 'text/plain';
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
