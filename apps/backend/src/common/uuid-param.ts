import { ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '@app/shared';

/** A path id that is not even a UUID names nothing that exists: answer 404, as for any unknown id. */
export const notFoundOnBadUuid = (what: string): ParseUUIDPipe =>
  new ParseUUIDPipe({ exceptionFactory: () => DomainError.notFound(what) });
