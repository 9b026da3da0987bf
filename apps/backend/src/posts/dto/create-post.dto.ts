import { ISO_DATE_TIME_WITH_OFFSET } from '../publish-at.js';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';

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

  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @ArrayUnique({ message: 'accountIds must not repeat an account' })
  @IsUUID('all', { each: true, message: 'each of accountIds must be an account id (UUID)' })
  accountIds: string[];
}
