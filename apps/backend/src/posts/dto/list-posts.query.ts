import { POST_STATUSES, type PostStatus } from '@app/shared';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export class ListPostsQuery {
  @IsOptional()
  @IsIn(POST_STATUSES, { message: `status must be one of: ${POST_STATUSES.join(', ')}` })
  status?: PostStatus;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;

  /** Opaque; the `nextCursor` of the previous page. */
  @IsOptional()
  @IsString()
  cursor?: string;
}
