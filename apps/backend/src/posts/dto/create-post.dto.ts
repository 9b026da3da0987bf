import { ISO_DATE_TIME_WITH_OFFSET } from '../publish-at.js';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** Bounds of maxLatenessSeconds: one minute to thirty days. */
export const MIN_LATENESS_SECONDS = 60;
export const MAX_LATENESS_SECONDS = 30 * 24 * 3600;

export const PUBLISH_AT_MESSAGE =
  'publishAt must be an ISO 8601 date-time with an offset or Z, e.g. 2030-01-31T09:00:00Z';

export class CreatePostDto {
  @IsString()
  @MaxLength(20_000)
  content: string;

  @IsOptional()
  @IsString()
  @Matches(ISO_DATE_TIME_WITH_OFFSET, { message: PUBLISH_AT_MESSAGE })
  publishAt?: string;

  /** How late the post may still go out; later, it is `missed`. Omitted: the workspace default (6 hours). */
  @IsOptional()
  @IsInt()
  @Min(MIN_LATENESS_SECONDS)
  @Max(MAX_LATENESS_SECONDS)
  maxLatenessSeconds?: number;

  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @ArrayUnique({ message: 'accountIds must not repeat an account' })
  @IsUUID('all', { each: true, message: 'each of accountIds must be an account id (UUID)' })
  accountIds: string[];
}
