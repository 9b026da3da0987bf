import type { PlatformName, PostStatus, PostView, TargetStatus } from '@app/shared';

export interface TargetResponse {
  id: string;
  accountId: string;
  platform: PlatformName;
  status: TargetStatus;
  attempts: number;
  platformPostId: string | null;
  url: string | null;
  error: string | null;
  publishedAt: string | null;
}

export interface PostResponse {
  id: string;
  status: PostStatus;
  content: string;
  publishAt: string;
  createdAt: string;
  updatedAt: string;
  targets: TargetResponse[];
}

export interface PostPageResponse {
  items: PostResponse[];
  nextCursor: string | null;
}

export function toPostResponse(post: PostView): PostResponse {
  return {
    id: post.id,
    status: post.status,
    content: post.content,
    publishAt: post.publishAt.toISOString(),
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    targets: post.targets.map((target) => ({
      id: target.id,
      accountId: target.accountId,
      platform: target.platform,
      status: target.status,
      attempts: target.attempts,
      platformPostId: target.platformPostId,
      url: target.url,
      error: target.error,
      publishedAt: target.publishedAt?.toISOString() ?? null,
    })),
  };
}
