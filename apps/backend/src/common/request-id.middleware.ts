import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

const HEADER = 'x-request-id';
const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Tags every request with an id (the caller's, when it sent a sane one), echoed in the response. */
@Injectable()
export class RequestIdMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    const given = request.header(HEADER);
    const id = given && SAFE_ID.test(given) ? given : randomUUID();
    request.headers[HEADER] = id;
    response.setHeader(HEADER, id);
    next();
  }
}

export function requestIdOf(request: Request): string {
  return (request.headers[HEADER] as string | undefined) ?? 'unknown';
}
