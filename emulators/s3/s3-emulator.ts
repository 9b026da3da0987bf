import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
  HttpProblem,
  startEmulatorServer,
} from '../kit/emulator-server.js';
import {
  accessDenied,
  codeForStatus,
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

  const bucketOf = (name: string) => {
    const bucket = buckets.get(name);
    if (!bucket) throw noSuchBucket(name);
    return bucket;
  };

  /** Checks SigV4 the way S3 does before looking at the request; returns the access key id used. */
  const authenticate = (headers: IncomingHttpHeaders, url: URL): void => {
    const header = headers.authorization;
    const query = url.searchParams;
    if (header !== undefined && query.has('X-Amz-Algorithm')) {
      throw new S3Problem(
        400,
        'InvalidArgument',
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      );
    }
    if (query.has('X-Amz-Algorithm')) return authenticatePresigned(query);
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
    checkCredential(fields.Credential);
    const signedHeaders = fields.SignedHeaders.split(';');
    if (!signedHeaders.includes('host')) {
      throw new S3Problem(
        400,
        'AuthorizationHeaderMalformed',
        'The authorization header is malformed; the host header must be signed.',
      );
    }
    const dateHeader = headers['x-amz-date'];
    const date = typeof dateHeader === 'string' ? parseAmzDate(dateHeader) : undefined;
    if (!date) throw accessDenied('AWS authentication requires a valid Date or x-amz-date header');
    if (Math.abs(Date.now() - date.getTime()) > MAX_CLOCK_SKEW_MS) {
      throw new S3Problem(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
      );
    }
    if (headers['x-amz-content-sha256'] === undefined) {
      throw new S3Problem(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
    }
  };

  const authenticatePresigned = (query: URLSearchParams): void => {
    const required = ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];
    const missing = required.filter((name) => !query.get(name));
    if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || missing.length > 0) {
      throw new S3Problem(
        400,
        'AuthorizationQueryParametersError',
        `Query-string authentication version 4 requires the X-Amz-Algorithm, ${required.join(', ')} parameters.`,
      );
    }
    checkCredential(query.get('X-Amz-Credential')!);
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

  const checkCredential = (credential: string): void => {
    const [keyId, day, scopeRegion, service, terminator] = credential.split('/');
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

  const checkPayload = (headers: IncomingHttpHeaders, data: Buffer): void => {
    const declared = headers['x-amz-content-sha256'];
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
    const md5 = headers['content-md5'];
    if (typeof md5 === 'string' && createHash('md5').update(data).digest('base64') !== md5) {
      throw new S3Problem(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
  };

  const notImplementedStreaming = (): never => {
    throw notImplemented('aws-chunked (streaming) uploads');
  };

  const handle = ({ method, url, headers, raw }: EmulatorRequest): EmulatorResponse => {
    authenticate(headers, url);
    const [, bucketName = '', ...keyParts] = url.pathname.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    const data = raw ?? Buffer.alloc(0);
    if ([...url.searchParams.keys()].some((name) => !name.startsWith('X-Amz-') && !name.startsWith('x-id'))) {
      throw notImplemented(`the ${[...url.searchParams.keys()].join(', ')} query`);
    }

    if (bucketName === '') {
      if (method !== 'GET')
        throw new S3Problem(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
      const list = [...buckets].map(([name, bucket]) => ({ name, createdAt: bucket.createdAt }));
      return xml(200, listBucketsXml(list, OWNER_ID));
    }

    if (key === '') {
      switch (method) {
        case 'HEAD':
          bucketOf(bucketName);
          return { status: 200, headers: { 'x-amz-bucket-region': region } };
        case 'PUT':
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
        if (headers['x-amz-copy-source'] !== undefined) throw notImplemented('x-amz-copy-source');
        if (/aws-chunked/i.test(headers['content-encoding'] ?? '')) notImplementedStreaming();
        checkPayload(headers, data);
        const object: StoredObject = {
          data,
          contentType: headers['content-type'] ?? 'binary/octet-stream',
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
        // A HEAD answer has the GET's headers (Content-Length included); Node leaves its body out.
        return {
          status: 200,
          body: object.data,
          headers: {
            'Content-Type': object.contentType,
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

  /** Every answer carries S3's request ids; a refusal is S3's XML error. */
  const respond = (request: EmulatorRequest): EmulatorResponse => {
    const id = requestId();
    const ids = { 'x-amz-request-id': id, 'x-amz-id-2': Buffer.from(id).toString('base64'), Server: 'AmazonS3' };
    try {
      const answer = handle(request);
      return { ...answer, headers: { ...ids, ...answer.headers } };
    } catch (error) {
      const problem =
        error instanceof S3Problem
          ? error
          : new S3Problem(500, 'InternalError', 'We encountered an internal error. Please try again.');
      const { body, headers } = xml(problem.status, errorXml(problem, id));
      throw new HttpProblem(problem.status, body, { ...ids, ...headers });
    }
  };

  // Path-style addressing: the service, a bucket, or an object; the handler tells the operations apart.
  const shapes = { service: /^\/$/, bucket: /^\/[^/]+\/?$/, object: /^\/[^/]+\/.+$/ };
  const routes: EmulatorRoute[] = Object.entries(shapes).flatMap(([name, path]) =>
    ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'].map((method) => ({ name, method, path, rawBody: true, handle: respond })),
  );

  const server = await startEmulatorServer({
    name: 's3-emulator',
    routes,
    port: options.port,
    host: options.host,
    maxBodyBytes: MAX_OBJECT_BYTES,
    errorBody: (status, message) =>
      Buffer.from(errorXml(new S3Problem(status, codeForStatus(status), message), requestId())),
    describeRequest: ({ url, headers }) => {
      const presigned = url.searchParams.has('X-Amz-Algorithm');
      const credential = presigned
        ? url.searchParams.get('X-Amz-Credential')
        : /Credential=([^,\s]+)/.exec(headers.authorization ?? '')?.[1];
      return { presigned, accessKeyId: credential?.split('/')[0] };
    },
    onReset: () => {
      for (const bucket of buckets.values()) bucket.objects.clear();
    },
  });

  return {
    url: server.url,
    accessKeyId,
    region,
    get requests() {
      return server.requests.map(({ method, path, status, details }) => ({
        method,
        path,
        status,
        presigned: details?.presigned === true,
        ...(typeof details?.accessKeyId === 'string' ? { accessKeyId: details.accessKeyId } : {}),
      }));
    },
    object: (bucket, key) => buckets.get(bucket)?.objects.get(key),
    keys: (bucket) => [...(buckets.get(bucket)?.objects.keys() ?? [])],
    reset: () => server.reset(),
    close: () => server.close(),
  };
}

/** An XML answer, as S3 gives listings and errors. */
function xml(status: number, document: string): EmulatorResponse & { body: Buffer } {
  return { status, body: Buffer.from(document), headers: { 'Content-Type': 'application/xml' } };
}
