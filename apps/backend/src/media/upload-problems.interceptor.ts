import {
  CallHandler,
  HttpException,
  Inject,
  Injectable,
  NestInterceptor,
  PayloadTooLargeException,
} from '@nestjs/common';
import { AppConfig, DomainError, formatSize } from '@app/shared';
import { catchError, Observable, throwError } from 'rxjs';

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
    const cause = error.cause as { code?: unknown; field?: unknown } | undefined;
    switch (cause?.code) {
      case 'LIMIT_FILE_SIZE':
        return new PayloadTooLargeException(
          `file: is larger than the ${formatSize(this.maxBytes)} Herald accepts (MEDIA_MAX_BYTES)`,
        );
      case 'LIMIT_UNEXPECTED_FILE':
      case 'LIMIT_FILE_COUNT':
        return DomainError.validation([
          {
            field: typeof cause.field === 'string' ? cause.field : 'file',
            message: 'unexpected: send one image, in the multipart field "file"',
          },
        ]);
      default:
        return error;
    }
  }
}
