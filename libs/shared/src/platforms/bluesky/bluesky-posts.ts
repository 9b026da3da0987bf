import {
  type $Typed,
  type Agent,
  AppBskyEmbedImages,
  type AppBskyFeedPost,
  AppBskyRichtextFacet,
  AtUri,
  RichText,
} from '@atproto/api';
import type { MediaAttachment, PublishedPost, PublishRequest } from '../platform-provider.js';
import type { BlueskySession } from './bluesky-credentials.js';
import { xrpcStatus } from './bluesky-errors.js';
import { imageDimensions } from './image-dimensions.js';

const POST_COLLECTION = 'app.bsky.feed.post';
/** findPublished reads at most this many pages of 100 records. */
const MAX_PAGES = 3;

type StrongRef = { uri: string; cid: string };

/** Writes `app.bsky.feed.post` records into the signed-in account's repository, and finds them again. */
export class BlueskyPosts {
  /**
   * One post: reply references, facets (links, tags, mentions resolved to DIDs), images uploaded as
   * blobs, then `com.atproto.repo.createRecord`. Everything before createRecord leaves no trace a
   * reader sees, so only that last call can leave a post behind.
   */
  async publish(agent: Agent, session: BlueskySession, post: PublishRequest): Promise<PublishedPost> {
    const reply = post.replyTo && {
      root: await this.strongRef(agent, post.replyTo.root),
      parent: await this.strongRef(agent, post.replyTo.parent),
    };
    const facets = await this.facets(agent, post.text);
    const embed = post.media.length > 0 ? await this.imagesEmbed(agent, post.media) : undefined;
    const record: AppBskyFeedPost.Record = {
      $type: POST_COLLECTION,
      text: post.text,
      createdAt: new Date().toISOString(),
      ...(facets.length > 0 ? { facets } : {}),
      ...(embed ? { embed } : {}),
      ...(reply ? { reply } : {}),
    };
    const { data } = await agent.com.atproto.repo.createRecord({
      repo: session.did,
      collection: POST_COLLECTION,
      record,
    });
    return toPublished(data.uri, data.cid);
  }

  /**
   * The account's post with exactly `text` (answering `replyTo.parent` for a thread part, nothing
   * otherwise), created since `since`, from its repository, newest first.
   */
  async find(
    agent: Agent,
    session: BlueskySession,
    post: Pick<PublishRequest, 'text' | 'replyTo'>,
    since: Date,
  ): Promise<PublishedPost | null> {
    const oldest = since.getTime();
    const parentUri = post.replyTo?.parent.platformPostId;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const { data } = await agent.com.atproto.repo.listRecords({
        repo: session.did,
        collection: POST_COLLECTION,
        limit: 100,
        cursor,
      });
      const match = data.records.find(
        ({ value }) => value.text === post.text && replyParentUri(value) === parentUri && createdAt(value) >= oldest,
      );
      if (match) return toPublished(match.uri, match.cid);
      const reachedOlderPosts = data.records.some(({ value }) => createdAt(value) < oldest);
      if (!data.cursor || reachedOlderPosts) return null;
      cursor = data.cursor;
    }
    return null;
  }

  /** The `{ uri, cid }` a reply needs; the cid comes with every post this provider returns. */
  private async strongRef(agent: Agent, post: PublishedPost): Promise<StrongRef> {
    const cid = post.ref?.cid;
    if (cid) return { uri: post.platformPostId, cid };
    const uri = new AtUri(post.platformPostId);
    const { data } = await agent.com.atproto.repo.getRecord({
      repo: uri.host,
      collection: uri.collection,
      rkey: uri.rkey,
    });
    if (!data.cid) throw new Error(`Bluesky returned no cid for ${post.platformPostId}`);
    return { uri: data.uri, cid: data.cid };
  }

  /**
   * Links, hashtags and mentions with their UTF-8 byte ranges. A mention of a handle that does not
   * resolve stays plain text, as in the Bluesky app; any other failure to resolve one fails the publish.
   */
  private async facets(agent: Agent, text: string): Promise<AppBskyRichtextFacet.Main[]> {
    const richText = new RichText({ text });
    richText.detectFacetsWithoutResolution();
    const facets = richText.facets ?? [];
    const handles = new Set(
      facets.flatMap((facet) => facet.features.filter(AppBskyRichtextFacet.isMention).map((mention) => mention.did)),
    );
    const dids = new Map<string, string | undefined>();
    for (const handle of handles) dids.set(handle, await resolveHandle(agent, handle));
    return facets
      .map((facet) => ({
        ...facet,
        features: facet.features.flatMap((feature) => {
          if (!AppBskyRichtextFacet.isMention(feature)) return [feature];
          const did = dids.get(feature.did);
          return did ? [{ ...feature, did }] : [];
        }),
      }))
      .filter((facet) => facet.features.length > 0);
  }

  private async imagesEmbed(agent: Agent, media: MediaAttachment[]): Promise<$Typed<AppBskyEmbedImages.Main>> {
    const images: AppBskyEmbedImages.Image[] = [];
    for (const item of media) {
      const bytes = await item.read();
      const { data } = await agent.com.atproto.repo.uploadBlob(new Uint8Array(bytes), { encoding: item.mimeType });
      const aspectRatio = imageDimensions(bytes);
      images.push({ image: data.blob, alt: item.altText ?? '', ...(aspectRatio ? { aspectRatio } : {}) });
    }
    return { $type: 'app.bsky.embed.images', images };
  }
}

/** The DID behind a handle; undefined when the PDS says it cannot resolve it (400). */
async function resolveHandle(agent: Agent, handle: string): Promise<string | undefined> {
  try {
    const { data } = await agent.com.atproto.identity.resolveHandle({ handle });
    return data.did;
  } catch (error) {
    if (xrpcStatus(error) === 400) return undefined;
    throw error;
  }
}

/** NaN for a record without a readable date: it neither matches nor ends the search. */
function createdAt(record: Record<string, unknown>): number {
  return typeof record.createdAt === 'string' ? Date.parse(record.createdAt) : NaN;
}

function replyParentUri(record: Record<string, unknown>): unknown {
  const reply = record.reply as Partial<AppBskyFeedPost.ReplyRef> | undefined;
  return reply?.parent?.uri;
}

/** The at:// URI is the post's id; the web link uses the DID, which survives handle changes. */
function toPublished(uri: string, cid: string): PublishedPost {
  const { host, rkey } = new AtUri(uri);
  return { platformPostId: uri, url: `https://bsky.app/profile/${host}/post/${rkey}`, ref: { cid } };
}
