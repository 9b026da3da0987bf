import { ACTOR_TYPES, type ActorType } from '@app/shared';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { ISO_DATE_TIME_WITH_OFFSET } from '../../posts/publish-at.js';

const TIME_MESSAGE = 'must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T09:00:00Z';

/** The filters of GET /v1/audit; every one given must hold. */
export class AuditQuery {
  /** One action (`account.removed`), or a family of them (`account.*`). */
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/, {
    message: 'action must be an action such as account.removed, or a family such as account.*',
  })
  action?: string;

  @IsOptional()
  @IsIn(ACTOR_TYPES, { message: `actorType must be one of: ${ACTOR_TYPES.join(', ')}` })
  actorType?: ActorType;

  @IsOptional()
  @IsUUID('all', { message: 'actorId must be the id (UUID) of a user or an API key' })
  actorId?: string;

  @IsOptional()
  @Matches(/^[a-z][a-z_]*$/, { message: 'subjectType must be a kind of subject such as post or account' })
  subjectType?: string;

  @IsOptional()
  @IsUUID('all', { message: 'subjectId must be the id (UUID) of what changed' })
  subjectId?: string;

  /** Lines written at or after this time. */
  @IsOptional()
  @Matches(ISO_DATE_TIME_WITH_OFFSET, { message: `from ${TIME_MESSAGE}` })
  from?: string;

  /** Lines written before this time. */
  @IsOptional()
  @Matches(ISO_DATE_TIME_WITH_OFFSET, { message: `to ${TIME_MESSAGE}` })
  to?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 50;

  /** Opaque; the `nextCursor` of the previous page. */
  @IsOptional()
  @IsString()
  cursor?: string;
}
