import { DomainError } from '@app/shared';

/** Page cursors are opaque to clients: base64url of the last line's id. */
export function encodeAuditCursor(lineId: string): string {
  return Buffer.from(JSON.stringify([lineId])).toString('base64url');
}

export function decodeAuditCursor(value: string): string {
  try {
    const [id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as [unknown];
    if (typeof id !== 'string' || !/^[1-9]\d{0,18}$/.test(id)) throw new Error();
    return id;
  } catch {
    throw DomainError.validation([{ field: 'cursor', message: 'cursor is not one this API returned' }]);
  }
}
