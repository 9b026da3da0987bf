import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, type FieldProblem } from '../errors/domain-error.js';
import type { MediaAttachment } from '../platforms/platform-provider.js';
import type { PostMediaRef } from '../posts/post.repository.js';
import { AppConfig } from '../config/app-config.js';
import { TransactionRunner, type Tx } from '../database/transaction-runner.js';
import { inspectImage, type InspectedImage } from './image-inspection.js';
import { MEDIA_LINK_LIFETIME_SECONDS, MediaLinkSigner } from './media-link-signer.js';
import { MediaProblem } from './media-problem.js';
import { MediaRepository, type MediaRecord } from './media.repository.js';
import { MediaStorage, mediaStorageKey, MissingMediaError } from './media-storage.js';
import { RemoteMediaFetcher } from './remote-media-fetcher.js';

/** A stored image as the API shows it. */
export interface MediaView {
  id: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
}

/** One image of a post as the client gives it: a URL to fetch now, or the id of an upload. */
export interface MediaInput {
  url?: string;
  uploadId?: string;
  altText?: string | null;
}

/** What a post keeps of each image (`posts.media`), plus what content rules check. */
export interface ResolvedMedia {
  mediaId: string;
  mimeType: string;
  sizeBytes: number;
  altText: string | null;
}

/** A post's images, downloaded and checked, not stored yet (see MediaService.prepareForPost). */
export interface PreparedMedia {
  /** What content rules check, in order. */
  items: { mimeType: string; sizeBytes: number; altText: string | null }[];
  sources: readonly PreparedMediaSource[];
}

export interface MediaContent {
  bytes: Buffer;
  mimeType: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Storing images (uploaded or fetched), resolving a post's media, and handing them to providers. */
@Injectable()
export class MediaService {
  private readonly logger = new Logger(MediaService.name);
  private readonly maxBytes: number;

  constructor(
    private readonly media: MediaRepository,
    private readonly storage: MediaStorage,
    private readonly fetcher: RemoteMediaFetcher,
    private readonly links: MediaLinkSigner,
    private readonly transactions: TransactionRunner,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.maxBytes = config.media.maxBytes;
  }

  /** Stores an uploaded file; a file that is not an accepted image is a validation problem of `file`. */
  async store(workspaceId: string, bytes: Buffer): Promise<MediaView> {
    let image: InspectedImage;
    try {
      image = await inspectImage(bytes, this.maxBytes);
    } catch (error) {
      if (error instanceof MediaProblem) throw DomainError.validation([{ field: 'file', message: error.message }]);
      throw error;
    }
    return toView(await this.persist(workspaceId, image, null));
  }

  async get(workspaceId: string, id: string): Promise<MediaView> {
    const media = await this.transactions.forWorkspace(workspaceId, (tx) => this.media.findOne(tx, workspaceId, id));
    if (!media) throw DomainError.notFound('Media');
    return toView(media);
  }

  /**
   * Turns a post's media inputs into stored media, in order. URLs are downloaded and stored now, so
   * the post no longer depends on the remote file. Every problem is reported at once, and nothing
   * is stored unless all inputs are good.
   */
  async resolveForPost(workspaceId: string, inputs: MediaInput[]): Promise<ResolvedMedia[]> {
    return this.storePrepared(workspaceId, await this.prepareForPost(workspaceId, inputs));
  }

  /**
   * Downloads and checks a post's images without storing anything, so the post's content can be
   * checked against them first: a refused post leaves no file behind. Every problem is reported at once.
   */
  async prepareForPost(workspaceId: string, inputs: MediaInput[]): Promise<PreparedMedia> {
    const uploadIds = inputs.flatMap((input) => (input.uploadId && UUID.test(input.uploadId) ? [input.uploadId] : []));
    const found = await this.transactions.forWorkspace(workspaceId, (tx) =>
      this.media.findManyInWorkspace(tx, workspaceId, uploadIds),
    );
    const uploads = new Map(found.map((media) => [media.id, media]));
    const sources = await Promise.all(inputs.map((input, index) => this.sourceOf(input, `media.${index}`, uploads)));
    const problems = sources.filter((source) => source.kind === 'problem').map((source) => source.problem);
    if (problems.length > 0) throw DomainError.validation(problems);
    return {
      items: (sources as PreparedMediaSource[]).map((source, index) => ({
        mimeType: source.kind === 'upload' ? source.media.mimeType : source.image.mimeType,
        sizeBytes: source.kind === 'upload' ? source.media.sizeBytes : source.image.sizeBytes,
        altText: inputs[index].altText ?? null,
      })),
      sources: sources as PreparedMediaSource[],
    };
  }

  /** Stores what {@link prepareForPost} downloaded; uploads are stored already. */
  async storePrepared(workspaceId: string, prepared: PreparedMedia): Promise<ResolvedMedia[]> {
    const resolved: ResolvedMedia[] = [];
    for (const [index, source] of prepared.sources.entries()) {
      const media = source.kind === 'upload' ? source.media : await this.persist(workspaceId, source.image, source.url);
      resolved.push({ ...prepared.items[index], mediaId: media.id });
    }
    return resolved;
  }

  /** What content rules need to know of a post's stored media, in order; `tx` acts for the post's workspace. */
  async describe(tx: Tx, workspaceId: string, items: PostMediaRef[]): Promise<ResolvedMedia[]> {
    const found = await this.media.findManyInWorkspace(tx, workspaceId, idsOf(items));
    return pair(items, found).map(({ item, media }) => ({
      mediaId: media.id,
      mimeType: media.mimeType,
      sizeBytes: media.sizeBytes,
      altText: item.altText,
    }));
  }

  /** A post's media, ready for a provider: bytes from storage, and links a platform can fetch. */
  async attachmentsFor(items: PostMediaRef[]): Promise<MediaAttachment[]> {
    const found = await this.media.findByIds(idsOf(items));
    return pair(items, found).map(({ item, media }) => ({
      mediaId: media.id,
      mimeType: media.mimeType,
      sizeBytes: media.sizeBytes,
      altText: item.altText,
      read: () => this.storage.read(media.storageKey),
      publicUrl: async () =>
        (await this.storage.directUrl(media.storageKey, MEDIA_LINK_LIFETIME_SECONDS)) ?? this.links.link(media.id),
    }));
  }

  /** The file behind a signed link (the link is checked before, with MediaLinkSigner). */
  async content(id: string): Promise<MediaContent> {
    const media = await this.media.findForSignedLink(id);
    if (!media) throw DomainError.notFound('Media');
    try {
      return { bytes: await this.storage.read(media.storageKey), mimeType: media.mimeType };
    } catch (error) {
      if (error instanceof MissingMediaError) throw DomainError.notFound('Media');
      throw error;
    }
  }

  private async sourceOf(input: MediaInput, field: string, uploads: Map<string, MediaRecord>): Promise<MediaSource> {
    if (input.url === undefined && input.uploadId !== undefined) {
      const media = uploads.get(input.uploadId);
      if (media) return { kind: 'upload', media };
      return {
        kind: 'problem',
        problem: {
          field: `${field}.uploadId`,
          message: 'is not media of this workspace (upload files with POST /v1/media)',
        },
      };
    }
    if (input.url !== undefined && input.uploadId === undefined) {
      try {
        return { kind: 'remote', image: await this.fetcher.fetch(input.url), url: input.url };
      } catch (error) {
        if (!(error instanceof MediaProblem)) throw error;
        return { kind: 'problem', problem: { field: `${field}.url`, message: error.message } };
      }
    }
    return { kind: 'problem', problem: { field, message: 'give either url or uploadId' } };
  }

  /**
   * Removes up to `limit` media older than 24 hours at `now` that no post references; how many.
   * The row goes before the file, the reverse of {@link persist}: should the other step fail, a file
   * without a row is only wasted space, where a row without its file could still be attached to a
   * post that would then fail to publish.
   */
  async sweepUnreferenced(now: Date, limit: number): Promise<number> {
    const storageKeys = await this.media.deleteUnreferenced(now, limit);
    for (const storageKey of storageKeys) {
      await this.storage.delete(storageKey).catch((error: unknown) => {
        this.logger.warn(`Could not remove unreferenced media ${storageKey}: ${String(error)}`);
      });
    }
    return storageKeys.length;
  }

  /**
   * Bytes first, then the row: a row never points at missing bytes. A failed insert leaves a file
   * nothing refers to, which is removed here when possible.
   */
  private async persist(workspaceId: string, image: InspectedImage, sourceUrl: string | null): Promise<MediaRecord> {
    const id = randomUUID();
    const storageKey = mediaStorageKey(id);
    await this.storage.put(storageKey, image.bytes, image.mimeType);
    try {
      return await this.transactions.forWorkspace(workspaceId, (tx) =>
        this.media.insert(tx, {
          id,
          workspaceId,
          storageKey,
          mimeType: image.mimeType,
          sizeBytes: image.sizeBytes,
          sha256: image.sha256,
          sourceUrl,
        }),
      );
    } catch (error) {
      await this.storage.delete(storageKey).catch((cleanup: unknown) => {
        this.logger.warn(`Could not remove unreferenced media ${storageKey}: ${String(cleanup)}`);
      });
      throw error;
    }
  }
}

const idsOf = (items: PostMediaRef[]): string[] => items.map((item) => item.mediaId);

/** Each of a post's media with its record; a record that is gone is an error (posts keep their media). */
function pair(items: PostMediaRef[], found: MediaRecord[]): { item: PostMediaRef; media: MediaRecord }[] {
  const byId = new Map(found.map((media) => [media.id, media]));
  return items.map((item) => {
    const media = byId.get(item.mediaId);
    if (!media) throw DomainError.notFound(`Media ${item.mediaId}`);
    return { item, media };
  });
}

export type PreparedMediaSource =
  { kind: 'upload'; media: MediaRecord } | { kind: 'remote'; image: InspectedImage; url: string };
type MediaSource = PreparedMediaSource | { kind: 'problem'; problem: FieldProblem };

function toView(media: MediaRecord): MediaView {
  return {
    id: media.id,
    mimeType: media.mimeType,
    sizeBytes: media.sizeBytes,
    sha256: media.sha256,
    createdAt: media.createdAt.toISOString(),
  };
}
