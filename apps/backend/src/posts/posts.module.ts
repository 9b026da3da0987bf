import { Module } from '@nestjs/common';
import { PostContentValidator } from './post-content.validator.js';
import { PostsController } from './posts.controller.js';
import { PostsService } from './posts.service.js';

@Module({
  controllers: [PostsController],
  providers: [PostsService, PostContentValidator],
})
export class PostsModule {}
