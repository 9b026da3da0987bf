import { OmitType, PartialType } from '@nestjs/mapped-types';
import { CreatePostDto } from './create-post.dto.js';

/** Any of the post's own fields, validated exactly as on creation; its accounts cannot change. */
export class UpdatePostDto extends PartialType(OmitType(CreatePostDto, ['accountIds'] as const)) {}
