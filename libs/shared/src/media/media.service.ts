import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, type FieldProblem } from '../errors/domain-error.js';
import type { MediaFile } from '../platforms/content-rules.js';
import type { MediaAttachment } from '../platforms/platform-provider.js';
import type { PostMediaRef } from '../posts/post.repository.js';
import { AppConfig } from '../config/app-config.js';
import { TransactionRunner, type Tx } from '../database/transaction-runner.js';
import { inspectImage, type InspectedImage } from './image-inspection.js';
import { MEDIA_LINK_LIFETIME_SECONDS, MediaLinkSigner } from './media-link-signer.js';
import { MediaProblem, MediaTooLarge } from './media-problem.js';
import { MediaRepository, type MediaRecord } from './media.repository.js';
import { MediaStorage, mediaStorageKey, MissingMediaError } from './media-storage.js';
import { FailedDownload, RemoteMediaFetcher } from './remote-media-fetcher.js';

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

/**
 * A post's images as known before anything is downloaded (see MediaService.planForPost): uploads
 * looked up, URLs still to fetch.
 */
export interface MediaPlan {
  /** The usable inputs, in order: all of them, at their indexes, when there are no problems. */
  items: PlannedMedia[];
  /** Uploads that are not this workspace's, inputs with neither or both of url and uploadId. */
  problems: FieldProblem[];
  /** For each input, its file if known already (an upload's), else `undefined`: what rules can check now. */
  knownFiles: (MediaFile | undefined)[];
}

export type PlannedMedia = ({ kind: 'upload'; media: MediaRecord } | { kind: 'remote'; url: string }) & {
  altText: string | null;
};

/** A post's images, downloaded and checked, not stored yet (see MediaService.prepareForPost). */
export interface PreparedMedia {
  /** What content rules check, in order. */
  items: { mimeType: string; sizeBytes: number; altText: string | null }[];
  sources: readonly PreparedMediaSource[];
}

/** What {@link MediaService.storePrepared} stored: the post's media, and which of them it downloaded. */
export interface StoredMedia {
  items: ResolvedMedia[];
  /** The ids of the downloaded images it stored (uploads were stored before), for {@link MediaService.discard}. */
  downloadedIds: string[];
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
      if (error instanceof MediaProblem) throw problemOf('file', error);
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
   * the post no longer depends on the remote file. Nothing is stored unless all inputs are good.
   */
  async resolveForPost(workspaceId: string, inputs: MediaInput[]): Promise<ResolvedMedia[]> {
    const plan = await this.planForPost(workspaceId, inputs);
    return (await this.storePrepared(workspaceId, await this.prepareForPost(plan))).items;
  }

  /**
   * What can be known of a post's images without downloading any: which uploads are this
   * workspace's (one query), and every input's problems of that kind, all at once.
   */
  async planForPost(workspaceId: string, inputs: MediaInput[]): Promise<MediaPlan> {
    const uploadIds = inputs.flatMap((input) => (input.uploadId && UUID.test(input.uploadId) ? [input.uploadId] : []));
    const found =
      uploadIds.length === 0
        ? []
        : await this.transactions.forWorkspace(workspaceId, (tx) =>
            this.media.findManyInWorkspace(tx, workspaceId, uploadIds),
          );
    const uploads = new Map(found.map((media) => [media.id, media]));
    const plan: MediaPlan = { items: [], problems: [], knownFiles: [] };
    inputs.forEach((input, index) => {
      const altText = input.altText ?? null;
      const media = input.uploadId === undefined ? undefined : uploads.get(input.uploadId);
      plan.knownFiles.push(media);
      if ((input.url === undefined) === (input.uploadId === undefined)) {
        plan.problems.push({ field: `media.${index}`, message: 'give either url or uploadId' });
      } else if (input.url !== undefined) {
        plan.items.push({ kind: 'remote', url: input.url, altText });
      } else if (media) {
        plan.items.push({ kind: 'upload', media, altText });
      } else {
        plan.problems.push({
          field: `media.${index}.uploadId`,
          message: 'is not media of this workspace (upload files with POST /v1/media)',
        });
      }
    });
    return plan;
  }

  /**
   * Downloads a plan's URLs (bounded: see RemoteMediaFetcher.fetchAll) and checks them, storing
   * nothing, so the post's content can be checked against them first: a refused post leaves no file
   * behind. The first download that fails is a 400 naming its field, or a 413 when it is too large;
   * a plan with problems downloads nothing.
   */
  async prepareForPost(plan: MediaPlan): Promise<PreparedMedia> {
    if (plan.problems.length > 0) throw DomainError.validation(plan.problems);
    const remote = plan.items.flatMap((item, index) => (item.kind === 'remote' ? [{ url: item.url, index }] : []));
    let images: InspectedImage[];
    try {
      images = await this.fetcher.fetchAll(remote.map((item) => item.url));
    } catch (error) {
      if (!(error instanceof FailedDownload)) throw error;
      throw problemOf(`media.${remote[error.index].index}.url`, error.problem);
    }
    const downloaded = new Map(remote.map((item, position) => [item.index, images[position]]));
    const sources = plan.items.map((item, index): PreparedMediaSource =>
      item.kind === 'upload' ? item : { kind: 'remote', url: item.url, image: downloaded.get(index)! },
    );
    return {
      items: sources.map((source, index) => ({
        mimeType: source.kind === 'upload' ? source.media.mimeType : source.image.mimeType,
        sizeBytes: source.kind === 'upload' ? source.media.sizeBytes : source.image.sizeBytes,
        altText: plan.items[index].altText,
      })),
      sources,
    };
  }

  /**
   * Stores what {@link prepareForPost} downloaded (uploads are stored already). Should one fail, those
   * stored before it are removed again.
   */
  async storePrepared(workspaceId: string, prepared: PreparedMedia): Promise<StoredMedia> {
    const stored: StoredMedia = { items: [], downloadedIds: [] };
    try {
      for (const [index, source] of prepared.sources.entries()) {
        const media =
          source.kind === 'upload' ? source.media : await this.persist(workspaceId, source.image, source.url);
        if (source.kind === 'remote') stored.downloadedIds.push(media.id);
        stored.items.push({ ...prepared.items[index], mediaId: media.id });
      }
    } catch (error) {
      await this.discard(workspaceId, stored);
      throw error;
    }
    return stored;
  }

  /**
   * Removes the downloaded images of a post that was not saved after all (refused, or answered by an
   * earlier request with its Idempotency-Key), rows then files as in {@link sweepUnreferenced}.
   * Uploads stay: they were there before the post. Should this fail, the sweep removes them later.
   */
  async discard(workspaceId: string, stored: StoredMedia): Promise<void> {
    try {
      const storageKeys = await this.transactions.forWorkspace(workspaceId, (tx) =>
        this.media.deleteUnreferencedByIds(tx, workspaceId, stored.downloadedIds),
      );
      await this.deleteFiles(storageKeys);
    } catch (error) {
      this.logger.warn(`Could not remove the images of a post that was not saved: ${String(error)}`);
    }
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

  /**
   * Removes up to `limit` media older than 24 hours at `now` that no post references; how many.
   * The row goes before the file, the reverse of {@link persist}: should the other step fail, a file
   * without a row is only wasted space, where a row without its file could still be attached to a
   * post that would then fail to publish.
   */
  async sweepUnreferenced(now: Date, limit: number): Promise<number> {
    const storageKeys = await this.media.deleteUnreferenced(now, limit);
    await this.deleteFiles(storageKeys);
    return storageKeys.length;
  }

  private async deleteFiles(storageKeys: string[]): Promise<void> {
    for (const storageKey of storageKeys) {
      await this.storage.delete(storageKey).catch((error: unknown) => {
        this.logger.warn(`Could not remove unreferenced media ${storageKey}: ${String(error)}`);
      });
    }
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

/** A media problem of `field` as the API answers it: 413 when too large, else 400. */
function problemOf(field: string, problem: MediaProblem): DomainError {
  const details = [{ field, message: problem.message }];
  return problem instanceof MediaTooLarge ? DomainError.tooLarge(details) : DomainError.validation(details);
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

function toView(media: MediaRecord): MediaView {
  return {
    id: media.id,
    mimeType: media.mimeType,
    sizeBytes: media.sizeBytes,
    sha256: media.sha256,
    createdAt: media.createdAt.toISOString(),
  };
}
