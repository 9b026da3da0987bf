import {
  pauseOfPost,
  pauseOfTarget,
  type AttemptOutcome,
  type PauseView,
  type PlatformName,
  type PostStatus,
  type PostView,
  type TargetStatus,
} from '@app/shared';

/** A pause of the kill switch holding a post or target back: of the whole workspace, or of the account. */
export interface PauseResponse {
  scope: 'workspace' | 'account';
  since: string;
  reason: string | null;
}

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
  /** Set while a pause holds this target back (it goes out, or is missed, once resumed). */
  paused: PauseResponse | null;
  /** Every finished attempt, oldest first (only on `GET /v1/posts/:id`). */
  history?: AttemptResponse[];
}

export interface PostResponse {
  id: string;
  status: PostStatus;
  /** Who wrote it: a user or an API key (null for posts made before authors were recorded). */
  author: { type: 'user' | 'api_key'; id: string } | null;
  /** Why an admin rejected it, who and when (while `rejected`). */
  rejection: { reason: string; by: string; at: string } | null;
  /** Set while a pause holds any of its targets back: the workspace's, else the first account's. */
  paused: PauseResponse | null;
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

const toPauseResponse = (pause: PauseView | null): PauseResponse | null =>
  pause && { scope: pause.scope, since: pause.since.toISOString(), reason: pause.reason };

function authorOf(post: PostView): PostResponse['author'] {
  if (post.authorUserId) return { type: 'user', id: post.authorUserId };
  if (post.authorApiKeyId) return { type: 'api_key', id: post.authorApiKeyId };
  return null;
}

export function toPostResponse(post: PostView, withHistory = false): PostResponse {
  const pauses = post.targets.map((target) => pauseOfTarget(target, post.pauses));
  return {
    id: post.id,
    status: post.status,
    author: authorOf(post),
    rejection: post.rejection && { ...post.rejection, at: post.rejection.at.toISOString() },
    paused: toPauseResponse(pauseOfPost(pauses)),
    content: post.content,
    media: post.media,
    thread: post.thread,
    publishAt: post.publishAt.toISOString(),
    maxLatenessSeconds: post.maxLatenessSeconds,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    targets: post.targets.map((target, index) => ({
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
      paused: toPauseResponse(pauses[index]),
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
