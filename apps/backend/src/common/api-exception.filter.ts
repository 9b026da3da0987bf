import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { DomainError, formatSize, type DomainErrorCode, type FieldProblem } from '@app/shared';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { requestIdOf } from './request-id.middleware.js';

const STATUS_BY_CODE: Record<DomainErrorCode, HttpStatus> = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  GONE: HttpStatus.GONE,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  IDEMPOTENCY_MISMATCH: HttpStatus.UNPROCESSABLE_ENTITY,
  DEPENDENCY_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  NOT_CONFIGURED: HttpStatus.NOT_IMPLEMENTED,
};

/** Errors of the pg driver that mean "PostgreSQL is not reachable right now", not "bad query". */
const DATABASE_DOWN =
  /ECONNREFUSED|ECONNRESET|Connection terminated|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|terminating connection/i;

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: FieldProblem[];
  requestId?: string;
}

/**
 * The one place errors become HTTP responses: `{ statusCode, error, message, details? }`.
 * Unknown errors become a 500 with a request id; their stack goes to the log, never to the client.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const body = this.toBody(exception, request);
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, request: Request): ErrorBody {
    if (exception instanceof DomainError) return domainErrorBody(exception);
    if (exception instanceof HttpException) {
      if (isBodyTooLarge(exception)) {
        const limit = formatSize(bodyLimitOf(exception));
        return domainErrorBody(
          DomainError.tooLarge([{ field: 'body', message: `is larger than the ${limit} a request body may hold` }]),
        );
      }
      if (isMalformedJson(exception)) {
        return errorBody(HttpStatus.BAD_REQUEST, 'The body is not valid JSON', [
          { field: 'body', message: `is not valid JSON: ${exception.message}` },
        ]);
      }
      if (isUndecodable(exception)) {
        return errorBody(HttpStatus.BAD_REQUEST, 'The body could not be decompressed', [
          { field: 'body', message: 'does not match its Content-Encoding' },
        ]);
      }
      return errorBody(exception.getStatus(), httpExceptionMessage(exception));
    }
    const requestId = requestIdOf(request);
    if (isDatabaseDown(exception)) {
      this.logger.warn(`[${requestId}] ${request.method} ${request.path}: PostgreSQL unavailable`);
      return {
        ...errorBody(HttpStatus.SERVICE_UNAVAILABLE, 'The database is unavailable; please retry shortly'),
        requestId,
      };
    }
    this.logger.error(`[${requestId}] ${request.method} ${request.path} failed`, (exception as Error)?.stack);
    return { ...errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error'), requestId };
  }
}

const domainErrorBody = (error: DomainError): ErrorBody =>
  errorBody(STATUS_BY_CODE[error.code], error.message, error.details);

export function errorBody(statusCode: number, message: string, details?: FieldProblem[]): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...(details ? { details } : {}) };
}

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
}

/** body-parser's refusal of a JSON body it could not parse, which Nest wraps in a BadRequestException. */
function isMalformedJson(exception: HttpException): boolean {
  return (exception.cause as { type?: unknown } | undefined)?.type === 'entity.parse.failed';
}

/** body-parser's refusal of a body over its limit (see configureBackend), which Nest wraps in an HttpException. */
function isBodyTooLarge(exception: HttpException): boolean {
  return (exception.cause as { type?: unknown } | undefined)?.type === 'entity.too.large';
}

const bodyLimitOf = (exception: HttpException): number => (exception.cause as { limit: number }).limit;

/**
 * body-parser's refusal of a body that its Content-Encoding (gzip, deflate, br) does not decode: the
 * cause is zlib's error, the only one there with a numeric errno.
 */
function isUndecodable(exception: HttpException): boolean {
  return typeof (exception.cause as { errno?: unknown } | undefined)?.errno === 'number';
}

function isDatabaseDown(exception: unknown): boolean {
  const error = exception instanceof QueryFailedError ? (exception.driverError as Error) : exception;
  return error instanceof Error && DATABASE_DOWN.test(error.message);
}
