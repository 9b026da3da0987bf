import type { EmulatorClock } from '../kit/emulator-clock.js';
import { invalidMediaIds, invalidRequest, type XUser } from './x-wire.js';

/**
 * X API v2 chunked media upload (`/2/media/upload/initialize`, `/:id/append`, `/:id/finalize`,
 * `GET /2/media/upload?command=STATUS`) and `/2/media/metadata`, for the image categories Herald uses.
 * Media belong to the user who uploaded them and expire `expires_after_secs` after initialize.
 */

/** An image as it ends up attached to a post. */
export interface AttachedMedia {
  id: string;
  mediaKey: string;
  mimeType: string;
  data: Buffer;
  altText?: string;
}

interface Upload {
  id: string;
  mediaKey: string;
  ownerId: string;
  mimeType: string;
  totalBytes: number;
  segments: Map<number, Buffer>;
  /** Set by finalize: the assembled bytes. */
  data?: Buffer;
  altText?: string;
  expiresAt: number;
}

export interface UploadedPart {
  field: string;
  data: Buffer;
}

const MB = 1024 * 1024;
/** The categories Herald uploads to, with X's size limits (images 5 MB, animated GIFs 15 MB). */
const CATEGORY_LIMITS: Record<string, { maxBytes: number; types: readonly string[] }> = {
  tweet_image: {
    maxBytes: 5 * MB,
    types: ['image/jpeg', 'image/pjpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp', 'image/tiff'],
  },
  tweet_gif: { maxBytes: 15 * MB, types: ['image/gif'] },
};
const MAX_SEGMENT_INDEX = 999;
const MAX_ALT_TEXT_LENGTH = 1000;
/** Media per post: up to 4 images. */
export const MAX_MEDIA_PER_POST = 4;

export class XMediaUploads {
  private readonly uploads = new Map<string, Upload>();

  constructor(
    private readonly nextId: () => string,
    private readonly lifetimeSeconds: number,
    private readonly clock: EmulatorClock,
  ) {}

  initialize(owner: XUser, body: unknown): object {
    const fields = objectOf(body);
    const mimeType = fields.media_type;
    const totalBytes = fields.total_bytes;
    const category = fields.media_category ?? (mimeType === 'image/gif' ? 'tweet_gif' : 'tweet_image');
    if (typeof mimeType !== 'string') throw invalidRequest('$.media_type: is missing but it is required');
    if (typeof totalBytes !== 'number' || !Number.isInteger(totalBytes) || totalBytes < 0) {
      throw invalidRequest('$.total_bytes: is missing but it is required');
    }
    const limits = typeof category === 'string' ? CATEGORY_LIMITS[category] : undefined;
    if (typeof category !== 'string' || !limits) {
      throw invalidRequest(`$.media_category: ${JSON.stringify(category)} is not an accepted image category`);
    }
    if (!limits.types.includes(mimeType)) {
      throw invalidRequest(`media_type ${mimeType} is not supported for media_category ${category}`);
    }
    if (totalBytes > limits.maxBytes) throw invalidRequest(`File size exceeds ${limits.maxBytes} bytes.`);

    const id = this.nextId();
    const upload: Upload = {
      id,
      mediaKey: `3_${id}`,
      ownerId: owner.id,
      mimeType,
      totalBytes,
      segments: new Map(),
      expiresAt: this.clock.now() + this.lifetimeSeconds * 1000,
    };
    this.uploads.set(id, upload);
    return { data: { id, media_key: upload.mediaKey, expires_after_secs: this.lifetimeSeconds } };
  }

  append(owner: XUser, id: string, fields: Record<string, unknown>, files: UploadedPart[]): object {
    const upload = this.pending(owner, id);
    const index = Number(fields.segment_index);
    if (fields.segment_index === undefined || !Number.isInteger(index) || index < 0 || index > MAX_SEGMENT_INDEX) {
      throw invalidRequest(`$.segment_index: must be an integer between 0 and ${MAX_SEGMENT_INDEX}`);
    }
    const media = files.find((file) => file.field === 'media');
    if (!media) throw invalidRequest('$.media: is missing but it is required');
    upload.segments.set(index, media.data);
    const received = [...upload.segments.values()].reduce((sum, part) => sum + part.length, 0);
    if (received > upload.totalBytes)
      throw invalidRequest('Segments add up to more than the provided total file size.');
    return { data: { expires_at: Math.floor(upload.expiresAt / 1000) } };
  }

  finalize(owner: XUser, id: string): object {
    const upload = this.pending(owner, id);
    const data = Buffer.concat([...upload.segments.entries()].sort(([a], [b]) => a - b).map(([, part]) => part));
    if (upload.segments.size === 0 || data.length !== upload.totalBytes) {
      throw invalidRequest('Segments do not add up to provided total file size.');
    }
    if (sniffImageType(data) !== canonicalType(upload.mimeType)) {
      throw invalidRequest(`The uploaded file is not a valid ${upload.mimeType} image.`);
    }
    upload.data = data;
    // Images need no processing: X answers without processing_info, so clients do not poll STATUS.
    return { data: this.describe(upload) };
  }

  status(owner: XUser, query: URLSearchParams): object {
    if (query.get('command') !== 'STATUS') throw invalidRequest('$.command: must be STATUS');
    const upload = this.owned(owner, query.get('media_id') ?? '');
    const state = upload.data ? 'succeeded' : 'pending';
    return { data: { ...this.describe(upload), processing_info: { state, progress_percent: upload.data ? 100 : 0 } } };
  }

  createMetadata(owner: XUser, body: unknown): object {
    const fields = objectOf(body);
    const upload = this.owned(owner, typeof fields.id === 'string' ? fields.id : '');
    const altText = objectOf(objectOf(fields.metadata).alt_text).text;
    if (typeof altText !== 'string') throw invalidRequest('$.metadata.alt_text.text: is missing but it is required');
    if ([...altText].length > MAX_ALT_TEXT_LENGTH) {
      throw invalidRequest(`$.metadata.alt_text.text: must be at most ${MAX_ALT_TEXT_LENGTH} characters`);
    }
    upload.altText = altText;
    return { data: { id: upload.id, associated_metadata: { alt_text: { text: altText } } } };
  }

  /** The media of a new post by `owner`: each must be finished, unexpired and theirs. */
  attach(owner: XUser, ids: unknown): AttachedMedia[] {
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) {
      throw invalidRequest('$.media.media_ids: must be a non-empty array of strings');
    }
    if (ids.length > MAX_MEDIA_PER_POST) {
      throw invalidRequest(`$.media.media_ids: must contain at most ${MAX_MEDIA_PER_POST} items`);
    }
    const unusable = ids.filter((id) => {
      const upload = this.uploads.get(id);
      return !upload?.data || upload.ownerId !== owner.id || upload.expiresAt <= this.clock.now();
    });
    if (unusable.length > 0) throw invalidMediaIds(unusable);
    return ids.map((id) => {
      const upload = this.uploads.get(id)!;
      return { id, mediaKey: upload.mediaKey, mimeType: upload.mimeType, data: upload.data!, altText: upload.altText };
    });
  }

  reset(): void {
    this.uploads.clear();
  }

  private owned(owner: XUser, id: string): Upload {
    const upload = this.uploads.get(id);
    if (!upload || upload.ownerId !== owner.id || upload.expiresAt <= this.clock.now()) {
      throw invalidRequest(`Media id ${id || '(none)'} is invalid or has expired.`);
    }
    return upload;
  }

  private pending(owner: XUser, id: string): Upload {
    const upload = this.owned(owner, id);
    if (upload.data) throw invalidRequest(`Media id ${id} has already been finalized.`);
    return upload;
  }

  private describe(upload: Upload) {
    return {
      id: upload.id,
      media_key: upload.mediaKey,
      size: upload.totalBytes,
      expires_after_secs: Math.max(0, Math.floor((upload.expiresAt - this.clock.now()) / 1000)),
    };
  }
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const canonicalType = (mimeType: string) => (mimeType === 'image/pjpeg' ? 'image/jpeg' : mimeType);

/** The image type the bytes say they are (X decodes the file and rejects what is not an image). */
function sniffImageType(data: Buffer): string | undefined {
  const starts = (...bytes: number[]) => bytes.every((byte, index) => data[index] === byte);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  const ascii = data.subarray(0, 12).toString('latin1');
  if (ascii.startsWith('GIF87a') || ascii.startsWith('GIF89a')) return 'image/gif';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'image/webp';
  if (ascii.startsWith('BM')) return 'image/bmp';
  if (ascii.startsWith('II*\u0000') || ascii.startsWith('MM\u0000*')) return 'image/tiff';
  return undefined;
}
