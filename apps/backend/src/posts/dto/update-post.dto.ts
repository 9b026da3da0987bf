import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ISO_DATE_TIME_WITH_OFFSET } from '../publish-at.js';
import { MAX_LATENESS_SECONDS, MIN_LATENESS_SECONDS, PUBLISH_AT_MESSAGE } from './create-post.dto.js';

export class UpdatePostDto {
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  content?: string;

  @IsOptional()
  @IsString()
  @Matches(ISO_DATE_TIME_WITH_OFFSET, { message: PUBLISH_AT_MESSAGE })
  publishAt?: string;

  @IsOptional()
  @IsInt()
  @Min(MIN_LATENESS_SECONDS)
  @Max(MAX_LATENESS_SECONDS)
  maxLatenessSeconds?: number;
}
