import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ISO_DATE_TIME_WITH_OFFSET } from '../publish-at.js';

/** Bounds of maxLatenessSeconds: one minute to thirty days. */
export const MIN_LATENESS_SECONDS = 60;
export const MAX_LATENESS_SECONDS = 30 * 24 * 3600;

export const PUBLISH_AT_MESSAGE =
  'publishAt must be an ISO 8601 date-time with an offset or Z, e.g. 2030-01-31T09:00:00Z';

/** An image of the post: one uploaded through `POST /v1/media`, or a public URL Herald downloads now. */
export class MediaInputDto {
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { message: 'url must be an http(s) URL' })
  @MaxLength(2048)
  url?: string;

  @IsOptional()
  @IsUUID('all', { message: 'uploadId must be the id of an upload (POST /v1/media)' })
  uploadId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(5000)
  altText?: string;
}

/** One account's own text, replacing the post's content on that account. */
export class TargetContentDto {
  @IsUUID('all', { message: 'accountId must be an account id (UUID)' })
  accountId: string;

  @IsString()
  @MaxLength(20_000)
  content: string;
}

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

  /** Images, in order (only on the first post of a thread). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MediaInputDto)
  media?: MediaInputDto[];

  /** The later posts of a thread, after `content` (X, Bluesky, Threads, Mastodon). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(20_000, { each: true })
  thread?: string[];

  /** Per-account text replacing `content` (each account of accountIds at most once). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => TargetContentDto)
  targets?: TargetContentDto[];
}
