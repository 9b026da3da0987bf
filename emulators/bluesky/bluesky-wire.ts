import { createHash } from 'node:crypto';
import { HttpProblem } from '../kit/emulator-server.js';

/**
 * The AT Protocol's wire details the Bluesky emulator shares: XRPC error bodies, rate-limit headers,
 * CIDs, TIDs and identifier syntax. Written from the atproto specs, independent of Herald's code.
 */

/** XRPC error names by HTTP status, as @atproto/xrpc-server answers them. */
const ERROR_NAMES: Record<number, string> = {
  400: 'InvalidRequest',
  401: 'AuthenticationRequired',
  403: 'Forbidden',
  404: 'XRPCNotSupported',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'RateLimitExceeded',
  500: 'InternalServerError',
  501: 'MethodNotImplemented',
  502: 'UpstreamFailure',
  503: 'NotEnoughResources',
  504: 'UpstreamTimeout',
};

const DEFAULT_MESSAGES: Record<number, string> = {
  401: 'Authentication Required',
  429: 'Rate Limit Exceeded',
  500: 'Internal Server Error',
};

/** `{ error, message }`, the body of every XRPC error. */
export function xrpcErrorBody(status: number, message?: string, error?: string): { error: string; message: string } {
  const name = error ?? ERROR_NAMES[status] ?? (status >= 500 ? 'InternalServerError' : 'InvalidRequest');
  return { error: name, message: message ?? DEFAULT_MESSAGES[status] ?? name };
}

export function xrpcError(status: number, message?: string, error?: string, headers?: Record<string, string>) {
  return new HttpProblem(status, xrpcErrorBody(status, message, error), headers);
}

export const invalidRequest = (message: string, error?: string) => xrpcError(400, message, error);

/**
 * The IETF draft headers the PDS sends with every rate-limited route: `ratelimit-reset` is epoch
 * seconds, `ratelimit-policy` is "<points>;w=<window seconds>".
 */
export function rateLimitHeaders(limit: number, remaining: number, resetAt: Date, windowSeconds: number) {
  return {
    'ratelimit-limit': String(limit),
    'ratelimit-remaining': String(Math.max(0, remaining)),
    'ratelimit-reset': String(Math.ceil(resetAt.getTime() / 1000)),
    'ratelimit-policy': `${limit};w=${windowSeconds}`,
  };
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Multicodec codes of the two CID flavours atproto uses. */
const CODECS = { raw: 0x55, dagCbor: 0x71 } as const;

/**
 * A CIDv1 (sha-256, base32) of `bytes`. Blobs get the real CID (raw codec); records are hashed from
 * their JSON rather than their DAG-CBOR encoding, which is well-formed but not what a PDS computes.
 */
export function cidFor(bytes: Uint8Array, codec: keyof typeof CODECS): string {
  const digest = createHash('sha256').update(bytes).digest();
  return `b${base32(Uint8Array.from([0x01, CODECS[codec], 0x12, 0x20, ...digest]))}`;
}

const TID_ALPHABET = '234567abcdefghijklmnopqrstuvwxyz';

/** Record keys as a PDS makes them: timestamp identifiers (microseconds, then a clock id), always increasing. */
export function tidGenerator(): () => string {
  let last = 0n;
  const clockId = BigInt(Math.floor(Math.random() * 1024));
  return () => {
    let micros = BigInt(Date.now()) * 1000n;
    if (micros <= last) micros = last + 1n;
    last = micros;
    let value = (micros << 10n) | clockId;
    let out = '';
    for (let i = 0; i < 13; i += 1) {
      out = TID_ALPHABET[Number(value & 31n)] + out;
      value >>= 5n;
    }
    return out;
  };
}

const HANDLE = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const DID = /^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$/;
const CID = /^b[a-z2-7]{58,}$/;

export const isHandle = (value: string) => value.length <= 253 && HANDLE.test(value);
export const isDid = (value: string) => value.length <= 2048 && DID.test(value);
export const isCid = (value: unknown): value is string => typeof value === 'string' && CID.test(value);
