import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import type { ActionOrigin } from '@app/shared';
import { IdempotencyKey } from '../common/idempotency-key.decorator.js';
import { RequiresRole } from '../auth/access.decorators.js';
import { Member, Origin, WorkspaceId, type WorkspacePrincipal } from '../auth/principal.js';
import { notFoundOnBadUuid } from '../common/uuid-param.js';
import { CreatePostDto } from './dto/create-post.dto.js';
import { ListPostsQuery } from './dto/list-posts.query.js';
import type { PostPageResponse, PostResponse } from './dto/post.response.js';
import { RejectPostDto } from './dto/reject-post.dto.js';
import { UpdatePostDto } from './dto/update-post.dto.js';
import { PostApprovalsService } from './post-approvals.service.js';
import { PostsService } from './posts.service.js';

@Controller('v1/posts')
export class PostsController {
  constructor(
    private readonly posts: PostsService,
    private readonly approvals: PostApprovalsService,
  ) {}

  @RequiresRole('editor')
  @Post()
  create(
    @Member() member: WorkspacePrincipal,
    @Origin() origin: ActionOrigin,
    @Body() body: CreatePostDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<PostResponse> {
    return this.posts.create(member.workspaceId, body, idempotencyKey, { role: member.role, origin });
  }

  @RequiresRole('editor')
  @Post(':id/retry')
  @HttpCode(200)
  retry(
    @WorkspaceId() workspaceId: string,
    @Param('id', notFoundOnBadUuid('Post')) id: string,
    @Origin() origin: ActionOrigin,
  ): Promise<PostResponse> {
    return this.posts.retry(workspaceId, id, origin);
  }

  @RequiresRole('admin')
  @Post(':id/approve')
  @HttpCode(200)
  approve(
    @WorkspaceId() workspaceId: string,
    @Param('id', notFoundOnBadUuid('Post')) id: string,
    @Origin() origin: ActionOrigin,
  ): Promise<PostResponse> {
    return this.approvals.approve(workspaceId, id, origin);
  }

  @RequiresRole('admin')
  @Post(':id/reject')
  @HttpCode(200)
  reject(
    @WorkspaceId() workspaceId: string,
    @Param('id', notFoundOnBadUuid('Post')) id: string,
    @Body() body: RejectPostDto,
    @Origin() origin: ActionOrigin,
  ): Promise<PostResponse> {
    return this.approvals.reject(workspaceId, id, body.reason, origin);
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
    @Member() member: WorkspacePrincipal,
    @Origin() origin: ActionOrigin,
    @Param('id', notFoundOnBadUuid('Post')) id: string,
    @Body() body: UpdatePostDto,
  ): Promise<PostResponse> {
    return this.posts.update(member.workspaceId, id, body, { role: member.role, origin });
  }

  @RequiresRole('editor')
  @Delete(':id')
  cancel(
    @WorkspaceId() workspaceId: string,
    @Param('id', notFoundOnBadUuid('Post')) id: string,
    @Origin() origin: ActionOrigin,
  ): Promise<PostResponse> {
    return this.posts.cancel(workspaceId, id, origin);
  }
}
