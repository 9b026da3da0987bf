import { MAX_COMMENT_LENGTH, type PostComment } from '@app/shared';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class AddCommentDto {
  @IsString()
  @IsNotEmpty({ message: 'text must not be empty' })
  @MaxLength(MAX_COMMENT_LENGTH)
  text!: string;
}

export interface CommentResponse {
  id: string;
  postId: string;
  /** A user (their email) or an API key (its name), as it was when the comment was written. */
  author: { type: 'user' | 'api_key'; id: string; label: string };
  text: string;
  createdAt: string;
}

export const toCommentResponse = (comment: PostComment): CommentResponse => ({
  id: comment.id,
  postId: comment.postId,
  author: comment.author,
  text: comment.text,
  createdAt: comment.createdAt.toISOString(),
});
