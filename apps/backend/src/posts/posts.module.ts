import { Module } from '@nestjs/common';
import { ChangeRecorder } from '../common/change-recorder.js';
import { PostApprovalsService } from './post-approvals.service.js';
import { PostChanges } from './post-changes.js';
import { PostCommentsController } from './post-comments.controller.js';
import { PostCommentsService } from './post-comments.service.js';
import { PostContentValidator } from './post-content.validator.js';
import { PostsController } from './posts.controller.js';
import { PostsService } from './posts.service.js';

@Module({
  controllers: [PostsController, PostCommentsController],
  providers: [
    PostsService,
    PostApprovalsService,
    PostCommentsService,
    PostChanges,
    ChangeRecorder,
    PostContentValidator,
  ],
})
export class PostsModule {}
