import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';

/**
 * What every platform emulator shares: an HTTP(S) server with a route table, request bodies parsed
 * the way platforms send them (JSON, form, multipart, raw bytes), a request log, and faults injected
 * on purpose (status, delay, dropped connection, "landed then lost"). Each emulator supplies its
 * routes and its platform's error bodies and rate-limit headers; the kit knows nothing of Herald.
 */

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

export interface UploadedFile {
  field: string;
  filename: string;
  mimeType: string;
  data: Buffer;
}

export interface EmulatorRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** Path parameters captured by the route's pattern (named groups). */
  params: Record<string, string>;
  /** JSON object, or form/multipart fields; undefined when there was no body. */
  body: Record<string, unknown> | undefined;
  files: UploadedFile[];
  /** The raw body when it was neither JSON nor a form (e.g. an image upload). */
  raw: Buffer | undefined;
  /** `Authorization: Bearer <token>`, when present. */
  bearer: string | undefined;
}

export interface EmulatorResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface EmulatorRoute {
  /** Faults and the request log refer to the route by this name. */
  name: string;
  method: string;
  path: RegExp;
  /** Take the body as bytes (`raw`) whatever its content type says, as a store of arbitrary files does. */
  rawBody?: boolean;
  handle(request: EmulatorRequest): EmulatorResponse | Promise<EmulatorResponse>;
}

export interface EmulatorFault {
  /** Status to answer with. Omitted: answer normally (after `delayMs`, if any). */
  status?: number;
  /** How many matching requests in a row get this fault (default 1). */
  count?: number;
  /** Wait this long before answering (to produce client timeouts). */
  delayMs?: number;
  /** Replaces the platform's default error body for `status`. */
  body?: unknown;
  /** Extra headers (e.g. Retry-After); 429s get the platform's rate-limit headers too. */
  headers?: Record<string, string>;
  /** For 429: seconds until the rate limit resets, in the platform's headers (default 60). */
  resetInSeconds?: number;
  /** Handle the request first, then answer with the fault: "the post landed, the response was lost". */
  afterRecord?: boolean;
  /** Close the connection without answering (the client sees "socket hang up"/ECONNRESET). */
  dropConnection?: boolean;
  /** Only requests to this route match (default: any API request). */
  route?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  route?: string;
  bearer?: string;
  /** The status answered with; undefined while pending or when the connection was dropped. */
  status?: number;
  receivedAt: Date;
  /** What the emulator's `describeRequest` noted (e.g. the S3 access key id). */
  details?: Record<string, unknown>;
}

export interface EmulatorServerOptions {
  /** For messages: "mastodon-emulator". */
  name: string;
  routes: EmulatorRoute[];
  /** The platform's body for an injected fault or an unknown route. */
  errorBody(status: number, message: string): unknown;
  /** The platform's rate-limit headers for an injected 429 on `route` (resets in `resetInSeconds`). */
  rateLimitHeaders?(resetInSeconds: number, route: string): Record<string, string>;
  /** Extra `/_emulator/*` controls (e.g. `POST /_emulator/revoke`). */
  controls?: Record<string, (body: Record<string, unknown> | undefined) => unknown>;
  /** Platform facts to keep in the request log, read from the request as it arrives. */
  describeRequest?(request: { method: string; url: URL; headers: IncomingHttpHeaders }): Record<string, unknown>;
  /** Forget the emulator's own state (posts, revocations) on reset. */
  onReset?(): void;
  port?: number;
  host?: string;
  tls?: { key: string | Buffer; cert: string | Buffer };
  maxBodyBytes?: number;
}

export interface EmulatorServer {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:4567`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  failNext(fault: EmulatorFault): void;
  setDelay(ms: number): void;
  /** Forgets requests, faults and the delay, and calls `onReset`. */
  reset(): void;
  close(): Promise<void>;
}

export async function startEmulatorServer(options: EmulatorServerOptions): Promise<EmulatorServer> {
  const requests: RecordedRequest[] = [];
  let faults: Array<EmulatorFault & { remaining: number }> = [];
  let globalDelayMs = 0;
  const sleepers = new Map<NodeJS.Timeout, () => void>();
  const maxBodyBytes = options.maxBodyBytes ?? 60 * 1024 * 1024;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sleepers.delete(timer);
        resolve();
      }, ms);
      sleepers.set(timer, resolve);
    });

  /** A malformed request, answered in the platform's shape. */
  const problem = (status: number, message: string) => new HttpProblem(status, options.errorBody(status, message));

  const failNext = (fault: EmulatorFault) => faults.push({ ...fault, remaining: Math.max(1, fault.count ?? 1) });

  const takeFault = (route: string): EmulatorFault | undefined => {
    const index = faults.findIndex((fault) => fault.route === undefined || fault.route === route);
    if (index < 0) return undefined;
    const fault = faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  };

  const reset = () => {
    requests.length = 0;
    faults = [];
    globalDelayMs = 0;
    options.onReset?.();
  };

  const send = (res: ServerResponse, response: EmulatorResponse) => {
    if (res.destroyed || res.headersSent) return;
    const isBuffer = Buffer.isBuffer(response.body);
    const payload = isBuffer
      ? (response.body as Buffer)
      : Buffer.from(response.body === undefined ? '' : JSON.stringify(response.body));
    res.writeHead(response.status, {
      ...(response.body === undefined || isBuffer ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      ...response.headers,
      'content-length': String(payload.length),
    });
    res.end(payload);
  };

  const handleControl = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    // Controls take JSON whatever the content type says (a bare `fetch` sends text/plain).
    const json = req.method === 'POST' ? await readControlJson(req, maxBodyBytes, problem) : undefined;
    const body =
      json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
    const route = `${req.method} ${path}`;
    if (route === 'POST /_emulator/faults') {
      const list = (Array.isArray(json) ? json : [body]) as EmulatorFault[];
      list.filter((fault) => fault && typeof fault === 'object').forEach(failNext);
      return send(res, { status: 200, body: { queued: faults.length } });
    }
    if (route === 'POST /_emulator/delay') {
      globalDelayMs = Math.max(0, Number(body?.ms ?? 0) || 0);
      return send(res, { status: 200, body: { delayMs: globalDelayMs } });
    }
    if (route === 'POST /_emulator/reset') {
      reset();
      return send(res, { status: 200, body: { reset: true } });
    }
    if (route === 'GET /_emulator/requests') {
      return send(res, { status: 200, body: { data: requests } });
    }
    const control = options.controls?.[route];
    if (control) return send(res, { status: 200, body: (await control(body)) ?? { ok: true } });
    return send(res, { status: 404, body: { error: `No emulator control at ${route}` } });
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const method = req.method ?? 'GET';
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    let params: Record<string, string> = {};
    const route = options.routes.find((candidate) => {
      if (candidate.method !== method) return false;
      const match = candidate.path.exec(url.pathname);
      if (match) params = { ...match.groups };
      return match !== null;
    });
    const details = options.describeRequest?.({ method, url, headers: req.headers });
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      route: route?.name,
      bearer,
      receivedAt: new Date(),
      ...(details ? { details } : {}),
    };
    requests.push(record);
    let clientGone = false;
    res.on('finish', () => (record.status = res.statusCode));
    res.on('close', () => (clientGone ||= !res.writableFinished));

    if (!route) {
      return send(res, { status: 404, body: options.errorBody(404, `Unknown route ${method} ${url.pathname}`) });
    }
    const parsed = route.rawBody
      ? { body: undefined, files: [], raw: await readAll(req, maxBodyBytes, problem) }
      : await parseBody(req, maxBodyBytes, problem);
    const request: EmulatorRequest = { method, url, headers: req.headers, params, bearer, ...parsed };
    const fault = takeFault(route.name);

    const answer = async (): Promise<EmulatorResponse> => {
      try {
        return await route.handle(request);
      } catch (error) {
        if (error instanceof HttpProblem) return { status: error.status, body: error.body, headers: error.headers };
        throw error;
      }
    };

    // "Landed, then lost": the request takes effect whatever the client ends up seeing.
    const early = fault?.afterRecord ? await answer() : undefined;
    const delayMs = (fault?.delayMs ?? 0) + globalDelayMs;
    if (delayMs > 0) await sleep(delayMs);
    if (clientGone || res.destroyed) return; // the client gave up (timeout): nothing more happens

    if (fault?.dropConnection) {
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      const rateLimit =
        fault.status === 429 ? (options.rateLimitHeaders?.(fault.resetInSeconds ?? 60, route.name) ?? {}) : {};
      return send(res, {
        status: fault.status,
        body: fault.body ?? options.errorBody(fault.status, `Injected fault ${fault.status}`),
        headers: { ...rateLimit, ...fault.headers },
      });
    }
    return send(res, early ?? (await answer()));
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const work = url.pathname.startsWith('/_emulator/')
      ? handleControl(req, res, url.pathname)
      : handleApi(req, res, url);
    void work.catch((error: unknown) => {
      if (error instanceof HttpProblem) return send(res, { status: error.status, body: error.body });
      send(res, { status: 500, body: options.errorBody(500, String(error)) });
    });
  };

  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : http.createServer(handler);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    requests,
    failNext,
    setDelay: (ms) => (globalDelayMs = Math.max(0, ms)),
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        for (const [timer, wake] of sleepers) {
          clearTimeout(timer);
          wake(); // the request then finds its connection gone and stops
        }
        sleepers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface ParsedBody {
  body: Record<string, unknown> | undefined;
  files: UploadedFile[];
  raw: Buffer | undefined;
}

type Problem = (status: number, message: string) => HttpProblem;

async function readControlJson(req: IncomingMessage, maxBytes: number, problem: Problem): Promise<unknown> {
  const text = (await readAll(req, maxBytes, problem)).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw problem(400, 'Request body is not valid JSON');
  }
}

async function readAll(req: IncomingMessage, maxBytes: number, problem: Problem): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw problem(413, 'Request body is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function parseBody(req: IncomingMessage, maxBytes: number, problem: Problem): Promise<ParsedBody> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) return parseMultipart(req, maxBytes, problem);

  const data = await readAll(req, maxBytes, problem);
  if (data.length === 0) return { body: undefined, files: [], raw: undefined };
  if (type.includes('json')) {
    try {
      const json = JSON.parse(data.toString('utf8')) as unknown;
      const body = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
      return { body, files: [], raw: undefined };
    } catch {
      throw problem(400, 'Request body is not valid JSON');
    }
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return { body: Object.fromEntries(new URLSearchParams(data.toString('utf8'))), files: [], raw: undefined };
  }
  return { body: undefined, files: [], raw: data };
}

function parseMultipart(req: IncomingMessage, maxBytes: number, problem: Problem): Promise<ParsedBody> {
  return new Promise((resolve, reject) => {
    const body: Record<string, unknown> = {};
    const files: UploadedFile[] = [];
    const parser = busboy({ headers: req.headers, limits: { fileSize: maxBytes } });
    parser.on('field', (name, value) => (body[name] = value));
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => reject(problem(413, 'Request body is too large')));
      stream.on('end', () =>
        files.push({ field, filename: info.filename ?? '', mimeType: info.mimeType, data: Buffer.concat(chunks) }),
      );
    });
    parser.on('close', () => resolve({ body, files, raw: undefined }));
    parser.on('error', (error) => reject(problem(400, `Bad multipart body: ${String(error)}`)));
    req.pipe(parser);
  });
}

/** Ids that grow like the platforms' own (time-ordered, numeric strings). */
export function sequentialIds(start = Date.now() * 1000): () => string {
  let next = BigInt(start);
  return () => (next += 1n).toString();
}
