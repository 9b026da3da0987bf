import type { AttemptOutcome, PlatformName, PostStatus, PostView, TargetStatus } from '@app/shared';

export interface AttemptResponse {
  attempt: number;
  startedAt: string;
  finishedAt: string;
  outcome: AttemptOutcome;
  error: string | null;
  statusCode: number | null;
}

export interface TargetResponse {
  id: string;
  accountId: string;
  platform: PlatformName;
  /** This account's own text, when the post gave one. */
  content: string | null;
  status: TargetStatus;
  attempts: number;
  platformPostId: string | null;
  url: string | null;
  /** Each post of a thread on the platform so far (a single post: just the one). */
  publishedParts: { platformPostId: string; url: string }[];
  error: string | null;
  publishedAt: string | null;
  /** Every finished attempt, oldest first (only on `GET /v1/posts/:id`). */
  history?: AttemptResponse[];
}

export interface PostResponse {
  id: string;
  status: PostStatus;
  content: string;
  media: { mediaId: string; altText: string | null }[];
  thread: string[];
  publishAt: string;
  maxLatenessSeconds: number;
  createdAt: string;
  updatedAt: string;
  targets: TargetResponse[];
}

export interface PostPageResponse {
  items: PostResponse[];
  nextCursor: string | null;
}

export function toPostResponse(post: PostView, withHistory = false): PostResponse {
  return {
    id: post.id,
    status: post.status,
    content: post.content,
    media: post.media,
    thread: post.thread,
    publishAt: post.publishAt.toISOString(),
    maxLatenessSeconds: post.maxLatenessSeconds,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    targets: post.targets.map((target) => ({
      id: target.id,
      accountId: target.accountId,
      platform: target.platform,
      content: target.content,
      status: target.status,
      attempts: target.attempts,
      platformPostId: target.platformPostId,
      url: target.url,
      publishedParts: target.publishedParts,
      error: target.error,
      publishedAt: target.publishedAt?.toISOString() ?? null,
      ...(withHistory
        ? {
            history: target.history.map((attempt) => ({
              attempt: attempt.attempt,
              startedAt: attempt.startedAt.toISOString(),
              finishedAt: attempt.finishedAt.toISOString(),
              outcome: attempt.outcome,
              error: attempt.error,
              statusCode: attempt.statusCode,
            })),
          }
        : {}),
    })),
  };
}
