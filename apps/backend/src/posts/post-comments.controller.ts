import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import type { ActionOrigin } from '@app/shared';
import { RequiresRole } from '../auth/access.decorators.js';
import { Origin, WorkspaceId } from '../auth/principal.js';
import { notFoundOnBadUuid } from '../common/uuid-param.js';
import { AddCommentDto, type CommentResponse } from './dto/comment.dto.js';
import { PostCommentsService } from './post-comments.service.js';

@Controller('v1/posts/:id/comments')
export class PostCommentsController {
  constructor(private readonly comments: PostCommentsService) {}

  @RequiresRole('viewer')
  @Get()
  list(
    @WorkspaceId() workspaceId: string,
    @Param('id', notFoundOnBadUuid('Post')) id: string,
  ): Promise<{ items: CommentResponse[] }> {
    return this.comments.list(workspaceId, id);
  }

  @RequiresRole('editor')
  @Post()
  add(
    @WorkspaceId() workspaceId: string,
    @Param('id', notFoundOnBadUuid('Post')) id: string,
    @Body() body: AddCommentDto,
    @Origin() origin: ActionOrigin,
  ): Promise<CommentResponse> {
    return this.comments.add(workspaceId, id, body.text, origin);
  }
}
