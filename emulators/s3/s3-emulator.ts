import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  accessDenied,
  errorXml,
  listBucketsXml,
  noSuchBucket,
  noSuchKey,
  notImplemented,
  parseAmzDate,
  requestId,
  S3Problem,
  VALID_BUCKET_NAME,
} from './s3-wire.js';

/**
 * A minimal S3-compatible server for tests: path-style bucket and object requests (ListBuckets,
 * CreateBucket, HeadBucket, PutObject, GetObject, HeadObject, DeleteObject), S3's XML errors, and
 * AWS Signature V4 authentication, header or presigned query: it checks the scheme, the access key
 * id, the region, the dates and the payload hash, but not the signature itself.
 * Independent of Herald's code.
 */

export interface StoredObject {
  data: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
}

export interface S3RecordedRequest {
  method: string;
  path: string;
  accessKeyId?: string;
  /** Authenticated by a presigned URL rather than an Authorization header. */
  presigned: boolean;
  status?: number;
}

export interface S3EmulatorOptions {
  port?: number;
  host?: string;
  /** The only access key id accepted (default `HERALDEMULATORKEY`). */
  accessKeyId?: string;
  region?: string;
  /** Buckets that exist from the start. */
  buckets?: string[];
}

export interface S3Emulator {
  /** The endpoint, e.g. `http://127.0.0.1:4569` (path-style: `<url>/<bucket>/<key>`). */
  readonly url: string;
  readonly accessKeyId: string;
  readonly region: string;
  readonly requests: S3RecordedRequest[];
  object(bucket: string, key: string): StoredObject | undefined;
  keys(bucket: string): string[];
  /** Forgets the objects and the request log; buckets stay. */
  reset(): void;
  close(): Promise<void>;
}

const MAX_OBJECT_BYTES = 100 * 1024 * 1024;
/** S3 refuses requests signed more than 15 minutes away from its clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60_000;
const MAX_PRESIGNED_EXPIRES_SECONDS = 7 * 24 * 3600;
const OWNER_ID = 'f00dfeedcafe0000000000000000000000000000000000000000000000000000';

export async function startS3Emulator(options: S3EmulatorOptions = {}): Promise<S3Emulator> {
  const accessKeyId = options.accessKeyId ?? 'HERALDEMULATORKEY';
  const region = options.region ?? 'us-east-1';
  const buckets = new Map<string, { createdAt: Date; objects: Map<string, StoredObject> }>();
  for (const name of options.buckets ?? []) buckets.set(name, { createdAt: new Date(), objects: new Map() });
  const requests: S3RecordedRequest[] = [];

  const bucketOf = (name: string) => {
    const bucket = buckets.get(name);
    if (!bucket) throw noSuchBucket(name);
    return bucket;
  };

  /** Checks SigV4 the way S3 does before looking at the request; returns the access key id used. */
  const authenticate = (req: IncomingMessage, url: URL, record: S3RecordedRequest): void => {
    const header = req.headers.authorization;
    const query = url.searchParams;
    if (header !== undefined && query.has('X-Amz-Algorithm')) {
      throw new S3Problem(
        400,
        'InvalidArgument',
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      );
    }
    if (query.has('X-Amz-Algorithm')) {
      record.presigned = true;
      return authenticatePresigned(query, record);
    }
    if (header === undefined) throw accessDenied();
    if (!header.startsWith('AWS4-HMAC-SHA256 ')) {
      throw new S3Problem(
        400,
        'InvalidRequest',
        'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      );
    }
    const fields = Object.fromEntries(
      header
        .slice('AWS4-HMAC-SHA256 '.length)
        .split(',')
        .map((part) => part.trim().split('=', 2) as [string, string]),
    );
    if (!fields.Credential || !fields.SignedHeaders || !fields.Signature) {
      throw new S3Problem(
        400,
        'AuthorizationHeaderMalformed',
        'The authorization header is malformed; the Credential, SignedHeaders and Signature are required.',
      );
    }
    checkCredential(fields.Credential, record);
    const signedHeaders = fields.SignedHeaders.split(';');
    if (!signedHeaders.includes('host')) {
      throw new S3Problem(
        400,
        'AuthorizationHeaderMalformed',
        'The authorization header is malformed; the host header must be signed.',
      );
    }
    const dateHeader = req.headers['x-amz-date'];
    const date = typeof dateHeader === 'string' ? parseAmzDate(dateHeader) : undefined;
    if (!date) throw accessDenied('AWS authentication requires a valid Date or x-amz-date header');
    if (Math.abs(Date.now() - date.getTime()) > MAX_CLOCK_SKEW_MS) {
      throw new S3Problem(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
      );
    }
    if (req.headers['x-amz-content-sha256'] === undefined) {
      throw new S3Problem(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
    }
  };

  const authenticatePresigned = (query: URLSearchParams, record: S3RecordedRequest): void => {
    const required = ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];
    const missing = required.filter((name) => !query.get(name));
    if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || missing.length > 0) {
      throw new S3Problem(
        400,
        'AuthorizationQueryParametersError',
        `Query-string authentication version 4 requires the X-Amz-Algorithm, ${required.join(', ')} parameters.`,
      );
    }
    checkCredential(query.get('X-Amz-Credential')!, record);
    const date = parseAmzDate(query.get('X-Amz-Date')!);
    const expires = Number(query.get('X-Amz-Expires'));
    if (!date || !Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_EXPIRES_SECONDS) {
      throw new S3Problem(
        400,
        'AuthorizationQueryParametersError',
        'X-Amz-Date must be in ISO 8601 basic format and X-Amz-Expires between 1 and 604800 seconds.',
      );
    }
    if (Date.now() > date.getTime() + expires * 1000) throw accessDenied('Request has expired');
  };

  const checkCredential = (credential: string, record: S3RecordedRequest): void => {
    const [keyId, day, scopeRegion, service, terminator] = credential.split('/');
    record.accessKeyId = keyId;
    if (!day || service !== 's3' || terminator !== 'aws4_request') {
      throw new S3Problem(
        400,
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
      );
    }
    if (keyId !== accessKeyId) {
      throw new S3Problem(
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
        { AWSAccessKeyId: keyId },
      );
    }
    if (scopeRegion !== region) {
      throw new S3Problem(
        400,
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; the region '${scopeRegion}' is wrong; expecting '${region}'`,
        { Region: region },
      );
    }
  };

  const readBody = async (req: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_OBJECT_BYTES)
        throw new S3Problem(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  };

  const checkPayload = (req: IncomingMessage, data: Buffer): void => {
    const declared = req.headers['x-amz-content-sha256'];
    if (typeof declared === 'string' && declared.startsWith('STREAMING-')) notImplementedStreaming();
    if (typeof declared === 'string' && /^[0-9a-f]{64}$/.test(declared)) {
      const actual = createHash('sha256').update(data).digest('hex');
      if (actual !== declared) {
        throw new S3Problem(
          400,
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          { ClientComputedContentSHA256: declared, S3ComputedContentSHA256: actual },
        );
      }
    }
    const md5 = req.headers['content-md5'];
    if (typeof md5 === 'string' && createHash('md5').update(data).digest('base64') !== md5) {
      throw new S3Problem(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
  };

  const notImplementedStreaming = (): never => {
    throw notImplemented('aws-chunked (streaming) uploads');
  };

  const handle = async (req: IncomingMessage, url: URL, record: S3RecordedRequest): Promise<Answer> => {
    authenticate(req, url, record);
    const [, bucketName = '', ...keyParts] = url.pathname.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    const method = req.method ?? 'GET';
    if ([...url.searchParams.keys()].some((name) => !name.startsWith('X-Amz-') && !name.startsWith('x-id'))) {
      throw notImplemented(`the ${[...url.searchParams.keys()].join(', ')} query`);
    }

    if (bucketName === '') {
      if (method !== 'GET')
        throw new S3Problem(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
      const list = [...buckets].map(([name, bucket]) => ({ name, createdAt: bucket.createdAt }));
      return { status: 200, xml: listBucketsXml(list, OWNER_ID) };
    }

    if (key === '') {
      switch (method) {
        case 'HEAD':
          bucketOf(bucketName);
          return { status: 200, headers: { 'x-amz-bucket-region': region } };
        case 'PUT':
          await readBody(req);
          if (!VALID_BUCKET_NAME.test(bucketName))
            throw new S3Problem(400, 'InvalidBucketName', 'The specified bucket is not valid.', {
              BucketName: bucketName,
            });
          if (buckets.has(bucketName))
            throw new S3Problem(
              409,
              'BucketAlreadyOwnedByYou',
              'Your previous request to create the named bucket succeeded and you already own it.',
              { BucketName: bucketName },
            );
          buckets.set(bucketName, { createdAt: new Date(), objects: new Map() });
          return { status: 200, headers: { Location: `/${bucketName}` } };
        default:
          bucketOf(bucketName);
          throw notImplemented(`${method} on a bucket`);
      }
    }

    const bucket = bucketOf(bucketName);
    switch (method) {
      case 'PUT': {
        if (req.headers['x-amz-copy-source'] !== undefined) throw notImplemented('x-amz-copy-source');
        if (/aws-chunked/i.test(req.headers['content-encoding'] ?? '')) notImplementedStreaming();
        const data = await readBody(req);
        checkPayload(req, data);
        const object: StoredObject = {
          data,
          contentType: req.headers['content-type'] ?? 'binary/octet-stream',
          etag: `"${createHash('md5').update(data).digest('hex')}"`,
          lastModified: new Date(),
        };
        bucket.objects.set(key, object);
        return { status: 200, headers: { ETag: object.etag } };
      }
      case 'GET':
      case 'HEAD': {
        const object = bucket.objects.get(key);
        if (!object) throw noSuchKey(key);
        return {
          status: 200,
          body: method === 'GET' ? object.data : undefined,
          headers: {
            'Content-Type': object.contentType,
            'Content-Length': String(object.data.length),
            ETag: object.etag,
            'Last-Modified': object.lastModified.toUTCString(),
            'Accept-Ranges': 'bytes',
          },
        };
      }
      case 'DELETE':
        bucket.objects.delete(key);
        return { status: 204 };
      default:
        throw new S3Problem(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    }
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://s3.emulator.invalid');
    const record: S3RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, presigned: false };
    requests.push(record);
    const id = requestId();
    handle(req, url, record).then(
      (answer) => send(res, req.method === 'HEAD', id, answer),
      (error: unknown) => {
        const problem =
          error instanceof S3Problem
            ? error
            : new S3Problem(500, 'InternalError', 'We encountered an internal error. Please try again.');
        // S3 answers errors before reading the body; drain it so the client sees the answer, not a reset.
        req.resume();
        send(res, req.method === 'HEAD', id, { status: problem.status, xml: errorXml(problem, id) });
      },
    );
    res.on('finish', () => (record.status = res.statusCode));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    accessKeyId,
    region,
    requests,
    object: (bucket, key) => buckets.get(bucket)?.objects.get(key),
    keys: (bucket) => [...(buckets.get(bucket)?.objects.keys() ?? [])],
    reset: () => {
      requests.length = 0;
      for (const bucket of buckets.values()) bucket.objects.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Answer {
  status: number;
  xml?: string;
  body?: Buffer;
  headers?: Record<string, string>;
}

function send(res: ServerResponse, isHead: boolean, id: string, answer: Answer): void {
  if (res.headersSent || res.destroyed) return;
  const payload = answer.xml !== undefined ? Buffer.from(answer.xml) : answer.body;
  res.writeHead(answer.status, {
    'x-amz-request-id': id,
    'x-amz-id-2': Buffer.from(id).toString('base64'),
    Server: 'AmazonS3',
    ...(answer.xml !== undefined ? { 'Content-Type': 'application/xml' } : {}),
    ...(payload && !isHead ? { 'Content-Length': String(payload.length) } : {}),
    ...answer.headers,
  });
  res.end(isHead ? undefined : payload);
}
