import { Injectable, Logger } from '@nestjs/common';
import { DomainError, PostRepository, TransactionRunner, type PostView, type Tx } from '@app/shared';
import type { Change } from '../common/change-recorder.js';

/** What every change of an existing post goes through: its lock, and Redis as a best effort afterwards. */
@Injectable()
export class PostChanges {
  private readonly logger = new Logger(PostChanges.name);

  constructor(
    private readonly posts: PostRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  /** Runs `work` on the workspace's post, locked (see PostRepository.withLockedPost); 404 when there is none. */
  async locked<T>(workspaceId: string, id: string, work: (post: PostView, tx: Tx) => Promise<T>): Promise<T> {
    const found = await this.transactions.forWorkspace(workspaceId, (tx) =>
      this.posts.withLockedPost(tx, workspaceId, id, (post) => work(post, tx)),
    );
    if (found === null) throw DomainError.notFound('Post');
    return found;
  }

  /** Redis only carries intent: when it is unreachable, the scheduler recovers the jobs from PostgreSQL. */
  async enqueue(change: () => Promise<void>): Promise<void> {
    try {
      await change();
    } catch (error) {
      this.logger.warn(`Queue unavailable, the scheduler will catch up: ${(error as Error).message}`);
    }
  }
}
/** A change of a post, for the outbox and the audit log. */
export const postChange = (type: Change['type'], postId: string, data: Record<string, unknown> = {}): Change => ({
  type,
  subject: { type: 'post', id: postId },
  data,
});
