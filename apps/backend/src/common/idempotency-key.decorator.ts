import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '@app/shared';
import type { Request } from 'express';

const KEY = /^[\x21-\x7e]{1,255}$/;

/** The optional `Idempotency-Key` header; when given it must be 1–255 visible ASCII characters. */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  const value = context.switchToHttp().getRequest<Request>().header('idempotency-key');
  if (value === undefined) return undefined;
  if (KEY.test(value)) return value;
  throw DomainError.validation([
    { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters (a UUID is a good choice)' },
  ]);
});
