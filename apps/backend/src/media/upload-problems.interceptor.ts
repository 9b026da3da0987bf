import { CallHandler, HttpException, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { AppConfig, DomainError, formatSize } from '@app/shared';
import { catchError, Observable, throwError } from 'rxjs';

/**
 * An upload is one file; a few small text fields are tolerated (and ignored), so a form with many
 * or large ones is refused as soon as multer reads past these, before it is held in memory.
 */
export const UPLOAD_FORM_LIMITS = { files: 1, fields: 4, fieldSize: 1024, fieldNameSize: 100, parts: 5 };

/**
 * Words multer's upload errors (which Nest turns into terse HTTP exceptions, with multer's error as
 * the cause) the way the rest of the API words problems. Bound outside FileInterceptor.
 */
@Injectable()
export class UploadProblemsInterceptor implements NestInterceptor {
  private readonly maxBytes: number;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.maxBytes = config.media.maxBytes;
  }

  intercept(_: unknown, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((error: unknown) => throwError(() => this.explain(error))));
  }

  private explain(error: unknown): unknown {
    if (!(error instanceof HttpException)) return error;
    const cause = error.cause as { code?: unknown; field?: unknown; message?: unknown } | undefined;
    const field = typeof cause?.field === 'string' ? cause.field : undefined;
    switch (cause?.code) {
      case 'LIMIT_FILE_SIZE':
        return DomainError.tooLarge([
          {
            field: 'file',
            message: `is larger than the ${formatSize(this.maxBytes)} Herald accepts (MEDIA_MAX_BYTES)`,
          },
        ]);
      case 'LIMIT_FIELD_VALUE':
        return DomainError.tooLarge([
          {
            field: field ?? 'body',
            message: `text fields of an upload may hold at most ${UPLOAD_FORM_LIMITS.fieldSize} bytes`,
          },
        ]);
      case 'LIMIT_FIELD_COUNT':
      case 'LIMIT_PART_COUNT':
        return DomainError.tooLarge([
          {
            field: 'body',
            message: `an upload is one file and at most ${UPLOAD_FORM_LIMITS.fields} small text fields`,
          },
        ]);
      case 'LIMIT_UNEXPECTED_FILE':
      case 'LIMIT_FILE_COUNT':
        return DomainError.validation([
          { field: field ?? 'file', message: 'unexpected: send one image, in the multipart field "file"' },
        ]);
      case 'LIMIT_FIELD_KEY':
      case 'LIMIT_FIELD_NESTING':
      case 'LIMIT_FIELD_ARRAY_INDEX':
      case 'INVALID_FIELD_NAME':
      case 'MISSING_FIELD_NAME':
        return DomainError.validation([{ field: field ?? 'body', message: `is not a usable form field name` }]);
      default:
        // What is left of multer's 400s are busboy's, which carry no code: the body is not multipart.
        if (cause instanceof Error && error.getStatus() === 400) {
          return DomainError.validation([{ field: 'body', message: 'is not well-formed multipart/form-data' }]);
        }
        return error;
    }
  }
}
