import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { IdempotencyKey } from '../common/idempotency-key.decorator.js';
import { RequiresRole } from '../auth/access.decorators.js';
import { WorkspaceId } from '../auth/principal.js';
import { notFoundOnBadUuid } from '../common/uuid-param.js';
import { CreatePostDto } from './dto/create-post.dto.js';
import { ListPostsQuery } from './dto/list-posts.query.js';
import type { PostPageResponse, PostResponse } from './dto/post.response.js';
import { UpdatePostDto } from './dto/update-post.dto.js';
import { PostsService } from './posts.service.js';

@Controller('v1/posts')
export class PostsController {
  constructor(private readonly posts: PostsService) {}

  @RequiresRole('editor')
  @Post()
  create(
    @WorkspaceId() workspaceId: string,
    @Body() body: CreatePostDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<PostResponse> {
    return this.posts.create(workspaceId, body, idempotencyKey);
  }

  @RequiresRole('editor')
  @Post(':id/retry')
  @HttpCode(200)
  retry(@WorkspaceId() workspaceId: string, @Param('id', notFoundOnBadUuid('Post')) id: string): Promise<PostResponse> {
    return this.posts.retry(workspaceId, id);
  }

  @RequiresRole('viewer')
  @Get()
  list(@WorkspaceId() workspaceId: string, @Query() query: ListPostsQuery): Promise<PostPageResponse> {
    return this.posts.list(workspaceId, query);
  }

  @RequiresRole('viewer')
  @Get(':id')
  get(@WorkspaceId() workspaceId: string, @Param('id', notFoundOnBadUuid('Post')) id: string): Promise<PostResponse> {
    return this.posts.get(workspaceId, id);
  }

  @RequiresRole('editor')
  @Patch(':id')
  update(
    @WorkspaceId() workspaceId: string,
    @Param('id', notFoundOnBadUuid('Post')) id: string,
    @Body() body: UpdatePostDto,
  ): Promise<PostResponse> {
    return this.posts.update(workspaceId, id, body);
  }

  @RequiresRole('editor')
  @Delete(':id')
  cancel(
    @WorkspaceId() workspaceId: string,
    @Param('id', notFoundOnBadUuid('Post')) id: string,
  ): Promise<PostResponse> {
    return this.posts.cancel(workspaceId, id);
  }
}
