import { setTimeout as sleep } from 'node:timers/promises';
import type { MediaAttachment, PublishedPost, PublishRequest } from '../platform-provider.js';
import type { ThreadsCredentials } from './threads-credentials.js';
import { failedBeforePublishing, ThreadsFailure } from './threads-errors.js';
import type { ThreadsGraphClient } from './threads-graph.client.js';

/** Text containers are usually ready at once; images take a few seconds. Polls back off up to this. */
const FIRST_POLL_DELAY_MS = 250;
const MAX_POLL_DELAY_MS = 4_000;
/** Where a post links to when Threads gives no permalink for it (copyrighted material, or the lookup failed). */
const THREADS_HOME = 'https://www.threads.com/';

export const postUrl = (permalink: string | undefined): string => permalink ?? THREADS_HOME;

/**
 * Publishing on Threads takes two steps: a media container (`POST /{user-id}/threads`: text, one image,
 * or a carousel of image items), which Threads processes asynchronously, then `threads_publish` once
 * it is FINISHED. Only that last call makes a post appear, so every failure before it is safe to retry.
 */
export class ThreadsPublisher {
  /** @param readinessBudgetMs how long one publish may wait for Threads to process its containers. */
  constructor(
    private readonly graph: ThreadsGraphClient,
    private readonly readinessBudgetMs: number,
  ) {}

  async publish(credentials: ThreadsCredentials, post: PublishRequest): Promise<PublishedPost> {
    let containerId: string;
    try {
      containerId = await this.prepare(credentials, post, Date.now() + this.readinessBudgetMs);
    } catch (error) {
      throw failedBeforePublishing(error);
    }
    const mediaId = await this.graph.publishContainer(credentials, containerId);
    return { platformPostId: mediaId, url: await this.urlOf(credentials, mediaId) };
  }

  /** Creates the post's container and waits until Threads has processed it; resolves its id. */
  private async prepare(credentials: ThreadsCredentials, post: PublishRequest, deadline: number): Promise<string> {
    const shared: Record<string, string> = {
      ...(post.text.trim() !== '' ? { text: post.text } : {}),
      ...(post.replyTo ? { reply_to_id: post.replyTo.parent.platformPostId } : {}),
    };
    let containerId: string;
    if (post.media.length === 0) {
      containerId = await this.graph.createContainer(credentials, { media_type: 'TEXT', ...shared });
    } else if (post.media.length === 1) {
      const image = await imageParams(post.media[0]);
      containerId = await this.graph.createContainer(credentials, { media_type: 'IMAGE', ...image, ...shared });
    } else {
      const items = await Promise.all(
        post.media.map(async (media) =>
          this.graph.createContainer(credentials, {
            media_type: 'IMAGE',
            is_carousel_item: 'true',
            ...(await imageParams(media)),
          }),
        ),
      );
      for (const item of items) await this.waitUntilReady(credentials, item, deadline);
      containerId = await this.graph.createContainer(credentials, {
        media_type: 'CAROUSEL',
        children: items.join(','),
        ...shared,
      });
    }
    await this.waitUntilReady(credentials, containerId, deadline);
    return containerId;
  }

  private async waitUntilReady(credentials: ThreadsCredentials, containerId: string, deadline: number): Promise<void> {
    for (let delay = FIRST_POLL_DELAY_MS; ; delay = Math.min(delay * 2, MAX_POLL_DELAY_MS)) {
      const { status, errorMessage } = await this.graph.containerStatus(credentials.accessToken, containerId);
      switch (status) {
        case 'FINISHED':
          return;
        case 'ERROR':
          throw new ThreadsFailure({
            kind: 'permanent',
            message: `Threads could not process the post: ${errorMessage ?? 'it gave no reason'}`,
          });
        case 'EXPIRED':
          throw new ThreadsFailure({ kind: 'retryable', message: 'The Threads media container expired unpublished' });
        case 'PUBLISHED':
          // Only threads_publish publishes a container, and it was not called: nobody can tell what happened.
          throw new ThreadsFailure({ kind: 'unknown', message: 'Threads reports the new container as published' });
        case 'IN_PROGRESS':
        case undefined:
          break;
      }
      if (Date.now() + delay > deadline) {
        const seconds = Math.round(this.readinessBudgetMs / 1000);
        throw new ThreadsFailure({
          kind: 'retryable',
          message: `Threads was still processing the post after ${seconds} s; nothing was published`,
        });
      }
      await sleep(delay);
    }
  }

  /** The post is on Threads by now: failing to read its permalink must not turn into a failed publish. */
  private async urlOf(credentials: ThreadsCredentials, mediaId: string): Promise<string> {
    try {
      return postUrl(await this.graph.permalink(credentials.accessToken, mediaId));
    } catch {
      return postUrl(undefined);
    }
  }
}

async function imageParams(media: MediaAttachment): Promise<Record<string, string>> {
  return { image_url: await media.publicUrl(), ...(media.altText ? { alt_text: media.altText } : {}) };
}
