import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';
import type { UploadedPart } from './x-media.js';
import { invalidRequest } from './x-wire.js';

/** Request bodies as X's endpoints take them: JSON (the API), forms (OAuth), multipart (media append). */
export interface RequestBody {
  json?: unknown;
  /** Form or multipart fields. */
  fields?: Record<string, string>;
  files: UploadedPart[];
}

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<RequestBody> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) return readMultipart(req, maxBytes);

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw invalidRequest('Request body is too large.');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { files: [] };
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return { fields: Object.fromEntries(new URLSearchParams(text)), files: [] };
  }
  try {
    return { json: JSON.parse(text) as unknown, files: [] };
  } catch {
    throw invalidRequest('Request body is not valid JSON.');
  }
}

function readMultipart(req: IncomingMessage, maxBytes: number): Promise<RequestBody> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: UploadedPart[] = [];
    const parser = busboy({ headers: req.headers, limits: { fileSize: maxBytes } });
    parser.on('field', (name, value) => (fields[name] = value));
    // A part is a file when it has a filename or is application/octet-stream (twitter-api-v2 sends no filename).
    parser.on('file', (field, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => reject(invalidRequest('Request body is too large.')));
      stream.on('end', () => files.push({ field, data: Buffer.concat(chunks) }));
    });
    parser.on('close', () => resolve({ fields, files }));
    parser.on('error', (error) => reject(invalidRequest(`Malformed multipart body: ${String(error)}`)));
    req.pipe(parser);
  });
}

/** Sends JSON, or a web page when `body` is a string (X's authorize page). */
export function send(
  res: ServerResponse,
  status: number,
  body?: object | string,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.headersSent) return;
  const payload = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
  res.writeHead(status, {
    ...headers,
    ...(body === undefined ? {} : { 'content-type': type }),
    'content-length': String(Buffer.byteLength(payload)),
  });
  res.end(payload);
}
