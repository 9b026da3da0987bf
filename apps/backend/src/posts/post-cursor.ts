import { DomainError } from '@app/shared';
import { isUUID } from 'class-validator';

export interface PostCursor {
  createdAt: Date;
  id: string;
}

/** Page cursors are opaque to clients: base64url of the last item's (createdAt, id). */
export function encodePostCursor(cursor: PostCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

export function decodePostCursor(value: string): PostCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    if (typeof id !== 'string' || !isUUID(id) || Number.isNaN(date.getTime())) throw new Error();
    return { createdAt: date, id };
  } catch {
    throw DomainError.validation([{ field: 'cursor', message: 'cursor is not one this API returned' }]);
  }
}
