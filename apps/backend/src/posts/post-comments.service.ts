import { Injectable } from '@nestjs/common';
import { DomainError, PostCommentRepository, TransactionRunner, type ActionOrigin } from '@app/shared';
import { ChangeRecorder } from '../common/change-recorder.js';
import { toCommentResponse, type CommentResponse } from './dto/comment.dto.js';
import { postChange } from './post-changes.js';

/** The team's internal discussion of a post: never published anywhere. */
@Injectable()
export class PostCommentsService {
  constructor(
    private readonly comments: PostCommentRepository,
    private readonly transactions: TransactionRunner,
    private readonly recorder: ChangeRecorder,
  ) {}

  /** Oldest first. */
  async list(workspaceId: string, postId: string): Promise<{ items: CommentResponse[] }> {
    const comments = await this.transactions.forWorkspace(workspaceId, (tx) =>
      this.comments.findForPost(tx, workspaceId, postId),
    );
    if (!comments) throw DomainError.notFound('Post');
    return { items: comments.map(toCommentResponse) };
  }

  async add(workspaceId: string, postId: string, text: string, origin: ActionOrigin): Promise<CommentResponse> {
    const { actor } = origin;
    if (actor.type !== 'user' && actor.type !== 'api_key') {
      throw new DomainError('FORBIDDEN', 'Only a member or an API key may comment on a post');
    }
    const comment = await this.transactions.forWorkspace(workspaceId, async (tx) => {
      const added = await this.comments.add(tx, workspaceId, {
        postId,
        author: { type: actor.type, id: actor.id, label: actor.label },
        text,
      });
      if (added) {
        await this.recorder.record(tx, workspaceId, origin, [
          postChange('post.comment_added', postId, { commentId: added.id }),
        ]);
      }
      return added;
    });
    if (!comment) throw DomainError.notFound('Post');
    return toCommentResponse(comment);
  }
}
