import { HttpProblem } from '../kit/emulator-server.js';

/**
 * Discord's HTTP API wire format as the emulator speaks it: errors as `{ message, code }`, form errors
 * as code 50035 with an `errors` tree, 429s as `{ message, retry_after, global }` with X-RateLimit-*
 * headers, snowflake ids, and the limits of a webhook message.
 */

export const MAX_CONTENT_LENGTH = 2000;
export const MAX_ATTACHMENTS = 10;
/** The default upload limit per file, which webhooks get. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_DESCRIPTION_LENGTH = 1024;
/** A webhook may execute 5 times every 2 seconds. */
export const RATE_LIMIT = { limit: 5, windowMs: 2000 };

const DISCORD_EPOCH = 1_420_070_400_000n;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The body Discord answers a status with when nothing more specific applies (`{"message": "404: Not Found", "code": 0}`). */
export function errorBody(status: number): unknown {
  if (status === 429) return { message: 'You are being rate limited.', retry_after: 60, global: false };
  return { message: `${status}: ${STATUS_TEXT[status] ?? 'Error'}`, code: 0 };
}

const jsonError = (status: number, code: number, message: string, errors?: object) =>
  new HttpProblem(status, { message, code, ...(errors ? { errors } : {}) });

export const unknownWebhook = () => jsonError(404, 10015, 'Unknown Webhook');
export const invalidWebhookToken = () => jsonError(401, 50027, 'Invalid Webhook Token');
export const invalidApiVersion = () => jsonError(400, 50041, 'Invalid API version provided');
export const emptyMessage = () => jsonError(400, 50006, 'Cannot send an empty message');
export const invalidJson = () => jsonError(400, 50109, 'The request body contains invalid JSON.');
export const entityTooLarge = () => jsonError(413, 40005, 'Request entity too large');

/** Collects the problems of a request body into Discord's 50035 "Invalid Form Body" error tree. */
export class FormErrors {
  private readonly tree: Record<string, unknown> = {};
  private count = 0;

  add(path: Array<string | number>, code: string, message: string): void {
    let node = this.tree;
    for (const key of path.map(String)) node = (node[key] ??= {}) as Record<string, unknown>;
    ((node._errors ??= []) as unknown[]).push({ code, message });
    this.count += 1;
  }

  throwIfAny(): void {
    if (this.count > 0) throw jsonError(400, 50035, 'Invalid Form Body', this.tree);
  }
}

/** Snowflakes: milliseconds since Discord's epoch, shifted left 22 bits, plus an increment. */
export function snowflakes(): () => string {
  let increment = 0n;
  return () => {
    increment = (increment + 1n) % 4096n;
    return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | increment).toString();
  };
}

/** Discord measures content in Unicode code points. */
export const codePoints = (text: string) => [...text].length;
