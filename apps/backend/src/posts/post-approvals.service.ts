import { Injectable } from '@nestjs/common';
import {
  DomainError,
  IN_REVIEW_TARGET_STATUSES,
  PostQueue,
  PostRepository,
  PostTargetRepository,
  type ActionOrigin,
  type ScheduledTarget,
} from '@app/shared';
import { ChangeRecorder } from '../common/change-recorder.js';
import { postChange, PostChanges } from './post-changes.js';
import { PostsService } from './posts.service.js';
import type { PostResponse } from './dto/post.response.js';

/**
 * An admin's decision on a post waiting for approval. Approving schedules it as any post: due at its
 * publishAt, so a time already past is due now, or missed once past its maxLatenessSeconds (the
 * worker applies the lateness rules). A rejected post can still be approved, or edited by its editor
 * to go back for approval.
 */
@Injectable()
export class PostApprovalsService {
  constructor(
    private readonly posts: PostRepository,
    private readonly targets: PostTargetRepository,
    private readonly queue: PostQueue,
    private readonly changes: PostChanges,
    private readonly recorder: ChangeRecorder,
    private readonly reads: PostsService,
  ) {}

  async approve(workspaceId: string, id: string, origin: ActionOrigin): Promise<PostResponse> {
    let scheduled: ScheduledTarget[] = [];
    await this.changes.locked(workspaceId, id, async (post, tx) => {
      if (post.status !== 'pending_approval' && post.status !== 'rejected') {
        throw new DomainError('CONFLICT', `The post is not waiting for approval: it is ${post.status}`);
      }
      const waiting = post.targets.filter((target) => IN_REVIEW_TARGET_STATUSES.includes(target.status));
      await this.targets.reschedule(
        tx,
        post.id,
        waiting.map((target) => target.id),
        post.publishAt,
      );
      if (post.rejection) await this.posts.setRejection(tx, post.id, null);
      await this.recorder.record(tx, workspaceId, origin, [postChange('post.approved', post.id)]);
      scheduled = waiting.map((target) => ({ id: target.id, runAt: post.publishAt }));
    });
    await this.changes.enqueue(() => this.queue.reschedule(workspaceId, scheduled));
    return this.reads.get(workspaceId, id);
  }

  async reject(workspaceId: string, id: string, reason: string, origin: ActionOrigin): Promise<PostResponse> {
    await this.changes.locked(workspaceId, id, async (post, tx) => {
      if (post.status !== 'pending_approval') {
        throw new DomainError('CONFLICT', `The post is not waiting for approval: it is ${post.status}`);
      }
      const waiting = post.targets.filter((target) => target.status === 'pending_approval');
      await this.targets.reject(
        tx,
        post.id,
        waiting.map((target) => target.id),
      );
      await this.posts.setRejection(tx, post.id, { reason, by: origin.actor.label });
      await this.recorder.record(tx, workspaceId, origin, [postChange('post.rejected', post.id, { reason })]);
    });
    return this.reads.get(workspaceId, id);
  }
}
