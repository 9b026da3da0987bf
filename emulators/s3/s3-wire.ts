import { randomBytes } from 'node:crypto';

/** The parts of S3's wire format the emulator speaks: XML bodies, error codes, request ids. */

export class S3Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const noSuchBucket = (bucket: string) =>
  new S3Problem(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });

export const noSuchKey = (key: string) =>
  new S3Problem(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });

export const accessDenied = (message = 'Access Denied') => new S3Problem(403, 'AccessDenied', message);

export const notImplemented = (what: string) =>
  new S3Problem(
    501,
    'NotImplemented',
    `A header or query you provided implies functionality that is not implemented: ${what}`,
  );

/** S3's error code for a status when nothing more specific applies (injected faults, unknown requests). */
export function codeForStatus(status: number): string {
  const codes: Record<number, string> = {
    400: 'InvalidRequest',
    403: 'AccessDenied',
    404: 'NoSuchKey',
    405: 'MethodNotAllowed',
    413: 'EntityTooLarge',
    500: 'InternalError',
    501: 'NotImplemented',
    503: 'SlowDown',
  };
  return codes[status] ?? 'InternalError';
}

export function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

const element = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;

export function errorXml(problem: S3Problem, requestId: string): string {
  const extra = Object.entries(problem.extra).map(([name, value]) => element(name, value));
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    element('Code', problem.code) +
    element('Message', problem.message) +
    extra.join('') +
    element('RequestId', requestId) +
    element('HostId', randomBytes(24).toString('base64')) +
    '</Error>'
  );
}

export function listBucketsXml(buckets: { name: string; createdAt: Date }[], ownerId: string): string {
  const entries = buckets
    .map(
      (bucket) =>
        `<Bucket>${element('Name', bucket.name)}${element('CreationDate', bucket.createdAt.toISOString())}</Bucket>`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Owner>${element('ID', ownerId)}${element('DisplayName', 'herald')}</Owner>` +
    `<Buckets>${entries}</Buckets></ListAllMyBucketsResult>`
  );
}

/** S3's bucket naming rules (general purpose buckets). */
export const VALID_BUCKET_NAME = /^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `YYYYMMDDTHHMMSSZ`, as in X-Amz-Date. */
export function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

export const requestId = () => randomBytes(8).toString('hex').toUpperCase();
