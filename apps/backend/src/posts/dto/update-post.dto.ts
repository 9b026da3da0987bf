import { OmitType, PartialType } from '@nestjs/mapped-types';
import { CreatePostDto } from './create-post.dto.js';

/**
 * The post's text and timing, validated exactly as on creation. Its accounts, images, thread and
 * per-account texts are set at creation (cancel and create a new post to change them).
 */
export class UpdatePostDto extends PartialType(
  OmitType(CreatePostDto, ['accountIds', 'media', 'thread', 'targets'] as const),
) {}
