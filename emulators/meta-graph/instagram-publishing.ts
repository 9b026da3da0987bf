import { randomBytes } from 'node:crypto';
import { sequentialIds, type EmulatorRequest, type EmulatorRoute } from '../kit/emulator-server.js';
import { type EmulatedInstagramAccount, type GraphDirectory, instagramAccountNode } from './graph-directory.js';
import {
  fetchMedia,
  graphList,
  type GraphNode,
  graphPath,
  graphProblem,
  graphTime,
  invalidParameter,
  param,
  isTrue,
  selectFields,
  sniffImageType,
  unsupportedRequest,
} from './graph-wire.js';

/**
 * Instagram Content Publishing: containers (`POST /{ig-user-id}/media`), their status
 * (`GET /{container-id}?fields=status_code`), `POST /{ig-user-id}/media_publish`, `GET /{ig-user-id}/media`.
 */

export type ContainerStatus = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

export interface EmulatedContainer {
  id: string;
  accountId: string;
  mediaType: 'IMAGE' | 'CAROUSEL';
  isCarouselItem: boolean;
  imageUrl?: string;
  image?: { bytes: Buffer; altText: string };
  caption: string;
  children: EmulatedContainer[];
  /** Status reads still to answer IN_PROGRESS before the container reaches `outcome`. */
  pendingReads: number;
  outcome: 'FINISHED' | 'ERROR' | 'EXPIRED';
  published: boolean;
  createdAt: Date;
}

export interface EmulatedInstagramMedia {
  id: string;
  accountId: string;
  caption: string;
  /** One image, or the carousel's images in order. */
  images: { bytes: Buffer; altText: string }[];
  permalink: string;
  createdAt: Date;
}

const MAX_CAPTION_LENGTH = 2_200;
const MAX_HASHTAGS = 30;
const MAX_MENTIONS = 20;
const MAX_CAROUSEL_ITEMS = 10;
/** "File size: 8 MB maximum." */
const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
/** Containers not published within 24 hours expire. */
const CONTAINER_LIFETIME_MS = 24 * 60 * 60 * 1000;

const mediaDownloadFailed = (url: string) =>
  graphProblem(400, {
    message: 'Media download has failed. The media URI doesn\u2019t meet our requirements.',
    code: 9004,
    subcode: 2207052,
    userTitle: 'Media download has failed.',
    userMessage: `The media could not be fetched from this URI: ${url}. Please check the following and try again.`,
    transient: false,
  });

const imageTooLarge = () =>
  graphProblem(400, {
    message: 'The image size is too large.',
    code: 36000,
    subcode: 2207004,
    userTitle: 'Image size too large',
    userMessage: 'The image is too large to download. It should be less than 8 MiB.',
    transient: false,
  });

const unsupportedImageFormat = () =>
  graphProblem(400, {
    message: 'The image format is not supported.',
    code: 36001,
    subcode: 2207005,
    userTitle: 'Unsupported format',
    userMessage: 'The image format is not supported. Supported formats are: JPEG.',
    transient: false,
  });

const notReady = () =>
  graphProblem(400, {
    message: 'Media ID is not available',
    code: 9007,
    subcode: 2207027,
    userTitle: 'Media not ready for publishing',
    userMessage: 'The media is not ready for publishing, please wait for a moment',
    transient: false,
  });

export class InstagramPublishing {
  readonly media: EmulatedInstagramMedia[] = [];
  readonly containers = new Map<string, EmulatedContainer>();
  /** Outcomes for the next containers created, then FINISHED. */
  private nextOutcomes: Array<'ERROR' | 'EXPIRED'> = [];
  private readonly nextContainerId = sequentialIds(17_900_000_000_000_000);
  private readonly nextMediaId = sequentialIds(17_950_000_000_000_000);

  /** @param processingReads how many status reads a new container answers IN_PROGRESS before it is done. */
  constructor(
    private readonly directory: GraphDirectory,
    private readonly processingReads: number,
  ) {}

  routes(): EmulatorRoute[] {
    return [
      {
        name: 'igCreateContainer',
        method: 'POST',
        path: graphPath('/(?<id>\\d+)/media'),
        handle: async (request) => ({ status: 200, body: await this.createContainer(request) }),
      },
      {
        name: 'igPublish',
        method: 'POST',
        path: graphPath('/(?<id>\\d+)/media_publish'),
        handle: (request) => ({ status: 200, body: this.publish(request) }),
      },
      {
        name: 'igMedia',
        method: 'GET',
        path: graphPath('/(?<id>\\d+)/media'),
        handle: (request) => {
          this.accountFor(request, 'instagram_basic');
          const media = this.media.filter((item) => item.accountId === request.params.id).reverse();
          return {
            status: 200,
            body: graphList(
              request,
              media.map((item) => selectFields(this.mediaNode(item), request)),
            ),
          };
        },
      },
    ];
  }

  /** Makes the next container created end in ERROR or EXPIRED instead of FINISHED. */
  endNextContainerWith(status: 'ERROR' | 'EXPIRED'): void {
    this.nextOutcomes.push(status);
  }

  /** `GET /{id}` of a container or a published media, for a token that may act for its account. */
  node(id: string, mayRead: (account: EmulatedInstagramAccount) => boolean): GraphNode | undefined {
    const container = this.containers.get(id);
    const media = this.media.find((item) => item.id === id);
    const account = this.directory.instagramAccounts.get(container?.accountId ?? media?.accountId ?? '');
    if (!account || !mayRead(account)) return undefined;
    if (media) return this.mediaNode(media);
    const status = this.readStatus(container!);
    return {
      type: 'ShadowIGMediaBuilder',
      fields: {
        id,
        status_code: status,
        status: status === 'ERROR' ? 'Error: Media upload has failed with error code 2207001' : status,
      },
    };
  }

  reset(): void {
    this.media.length = 0;
    this.containers.clear();
    this.nextOutcomes = [];
  }

  private async createContainer(request: EmulatorRequest): Promise<{ id: string }> {
    const account = this.accountFor(request, 'instagram_basic', 'instagram_content_publish');
    const mediaType = param(request, 'media_type') ?? 'IMAGE';
    if (mediaType !== 'IMAGE' && mediaType !== 'CAROUSEL') {
      throw invalidParameter(`media_type ${mediaType} is not supported by this emulator (IMAGE and CAROUSEL are)`);
    }
    const caption = param(request, 'caption') ?? '';
    checkCaption(caption);
    const base = {
      id: this.nextContainerId(),
      accountId: account.id,
      caption,
      published: false,
      createdAt: new Date(),
    };
    const processing: Pick<EmulatedContainer, 'pendingReads' | 'outcome'> = {
      pendingReads: this.processingReads,
      outcome: this.nextOutcomes.shift() ?? 'FINISHED',
    };

    if (mediaType === 'CAROUSEL') {
      const children = this.carouselChildren(account, param(request, 'children'));
      const container: EmulatedContainer = { ...base, ...processing, mediaType, isCarouselItem: false, children };
      this.containers.set(container.id, container);
      return { id: container.id };
    }
    const imageUrl = param(request, 'image_url');
    if (!imageUrl) throw invalidParameter('The parameter image_url is required.');
    const fetched = await fetchMedia(imageUrl, MAX_IMAGE_BYTES);
    if (!fetched.ok) throw fetched.reason === 'too-large' ? imageTooLarge() : mediaDownloadFailed(imageUrl);
    if (sniffImageType(fetched.bytes) !== 'image/jpeg') throw unsupportedImageFormat();
    const container: EmulatedContainer = {
      ...base,
      ...processing,
      mediaType: 'IMAGE',
      isCarouselItem: isTrue(param(request, 'is_carousel_item')),
      imageUrl,
      image: { bytes: fetched.bytes, altText: param(request, 'alt_text') ?? '' },
      children: [],
    };
    this.containers.set(container.id, container);
    return { id: container.id };
  }

  /** `children` as comma-separated ids (or a JSON array): 2 to 10 finished carousel items of this account. */
  private carouselChildren(account: EmulatedInstagramAccount, raw: string | undefined): EmulatedContainer[] {
    const ids = (raw?.trim().startsWith('[') ? (JSON.parse(raw) as unknown[]).map(String) : (raw ?? '').split(','))
      .map((id) => id.trim())
      .filter((id) => id !== '');
    if (ids.length < 2 || ids.length > MAX_CAROUSEL_ITEMS) {
      throw invalidParameter(`The parameter children must list between 2 and ${MAX_CAROUSEL_ITEMS} container ids.`);
    }
    return ids.map((id) => {
      const child = this.containers.get(id);
      if (!child || child.accountId !== account.id || !child.isCarouselItem || child.published) {
        throw invalidParameter(`The child ${id} is not an unpublished carousel item container of this account.`);
      }
      return child;
    });
  }

  private publish(request: EmulatorRequest): { id: string } {
    const account = this.accountFor(request, 'instagram_basic', 'instagram_content_publish');
    const creationId = param(request, 'creation_id');
    if (!creationId) throw invalidParameter('The parameter creation_id is required.');
    const container = this.containers.get(creationId);
    if (!container || container.accountId !== account.id || container.isCarouselItem) {
      throw invalidParameter(`creation_id ${creationId} is not a container that this account can publish.`);
    }
    if (container.published) throw invalidParameter(`The container ${creationId} has already been published.`);
    const status = this.currentStatus(container);
    if (status === 'IN_PROGRESS') throw notReady();
    if (status !== 'FINISHED')
      throw invalidParameter(`The container ${creationId} cannot be published: its status is ${status}.`);

    const items = container.mediaType === 'CAROUSEL' ? container.children : [container];
    [container, ...container.children].forEach((item) => (item.published = true));
    const shortcode = randomBytes(8).toString('base64url').slice(0, 11);
    const media: EmulatedInstagramMedia = {
      id: this.nextMediaId(),
      accountId: account.id,
      caption: container.caption,
      images: items.map((item) => item.image!),
      permalink: `https://www.instagram.com/p/${shortcode}/`,
      createdAt: new Date(),
    };
    this.media.push(media);
    return { id: media.id };
  }

  /** The account in the path, for a token that may act for it with `scopes`; Graph hides it from others. */
  private accountFor(request: EmulatorRequest, ...scopes: string[]): EmulatedInstagramAccount {
    const grant = this.directory.authenticate(request);
    const account = this.directory.instagramAccounts.get(request.params.id);
    if (!account || !this.directory.mayActForInstagram(grant, account)) {
      throw unsupportedRequest(request.method, request.params.id);
    }
    this.directory.requireScopes(grant, ...scopes);
    return account;
  }

  /** A status read: the container moves on from IN_PROGRESS after `processingReads` of them. */
  private readStatus(container: EmulatedContainer): ContainerStatus {
    const status = this.currentStatus(container);
    if (status === 'IN_PROGRESS') container.pendingReads -= 1;
    return status;
  }

  private currentStatus(container: EmulatedContainer): ContainerStatus {
    if (container.published) return 'PUBLISHED';
    if (Date.now() - container.createdAt.getTime() > CONTAINER_LIFETIME_MS) return 'EXPIRED';
    return container.pendingReads > 0 ? 'IN_PROGRESS' : container.outcome;
  }

  private mediaNode(media: EmulatedInstagramMedia): GraphNode {
    const account = this.directory.instagramAccounts.get(media.accountId)!;
    return {
      type: 'IGMedia',
      fields: {
        id: media.id,
        caption: media.caption || undefined,
        media_type: media.images.length > 1 ? 'CAROUSEL_ALBUM' : 'IMAGE',
        permalink: media.permalink,
        timestamp: graphTime(media.createdAt),
        username: account.username,
        owner: instagramAccountNode(account),
      },
    };
  }
}

/** Instagram's caption limits: 2,200 characters, 30 hashtags, 20 @-mentions. */
function checkCaption(caption: string): void {
  if (caption.length > MAX_CAPTION_LENGTH) {
    throw invalidParameter(`The caption is too long: ${caption.length} characters, at most ${MAX_CAPTION_LENGTH}.`);
  }
  const hashtags = caption.match(/(?:^|[^\p{L}\p{N}_&])#[\p{L}\p{N}_]+/gu)?.length ?? 0;
  if (hashtags > MAX_HASHTAGS) throw invalidParameter(`The caption has ${hashtags} hashtags, at most ${MAX_HASHTAGS}.`);
  const mentions = caption.match(/(?:^|[^\p{L}\p{N}_.])@[A-Za-z0-9._]+/gu)?.length ?? 0;
  if (mentions > MAX_MENTIONS)
    throw invalidParameter(`The caption has ${mentions} @-mentions, at most ${MAX_MENTIONS}.`);
}
