import { Agent, request as httpRequest } from 'node:http';

/** One request as it goes on the wire: the path already encoded, the body already serialised. */
export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  /** Parsed JSON, or the raw text when it is not JSON. */
  body: unknown;
}

const agent = new Agent({ keepAlive: true });

/** Sends the request exactly as generated (node:http keeps the path as given; fetch would normalise it). */
export function send(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        // Set always: without it node:http sends a GET's body unframed, and the server reads it as a
        // second, malformed request.
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body ?? '')) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Not JSON: kept as text, for the assertion to show.
          }
          resolve({ status: response.statusCode ?? 0, body });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

export const closeConnections = (): void => agent.destroy();
