import { HttpProblem } from '../kit/emulator-server.js';

/**
 * The Telegram Bot API's wire format as the emulator speaks it: `{ ok, result }` answers, errors as
 * `{ ok: false, error_code, description, parameters? }` with the same HTTP status, and its limits.
 */

export const MAX_TEXT_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** Bots may upload files of up to 50 MB through the public Bot API server. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
export const MEDIA_GROUP_SIZE = { min: 2, max: 10 };

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export interface TelegramErrorBody {
  ok: false;
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export function errorBody(status: number, description?: string): TelegramErrorBody {
  if (status === 429) return tooManyRequests(60);
  return { ok: false, error_code: status, description: description ?? STATUS_TEXT[status] ?? `Error ${status}` };
}

export function tooManyRequests(retryAfterSeconds: number): TelegramErrorBody {
  return {
    ok: false,
    error_code: 429,
    description: `Too Many Requests: retry after ${retryAfterSeconds}`,
    parameters: { retry_after: retryAfterSeconds },
  };
}

/** A Bot API error: `badRequest('chat not found')` answers 400 "Bad Request: chat not found". */
export const badRequest = (reason: string) => new HttpProblem(400, errorBody(400, `Bad Request: ${reason}`));
export const forbidden = (reason: string) => new HttpProblem(403, errorBody(403, `Forbidden: ${reason}`));
export const unauthorized = () => new HttpProblem(401, errorBody(401));

/** Telegram measures text in UTF-16 code units, after trimming surrounding whitespace. */
export const telegramLength = (text: string) => text.trim().length;

export type SniffedType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif' | 'video/mp4';

/** What the bytes are, read from their signature (Telegram ignores the declared type). */
export function sniff(data: Buffer): SniffedType | undefined {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') {
    return 'image/webp';
  }
  if (/^GIF8[79]a$/.test(data.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (data.subarray(4, 8).toString('latin1') === 'ftyp') return 'video/mp4';
  return undefined;
}
