import { sequentialIds, type EmulatorRequest, type EmulatorRoute } from '../kit/emulator-server.js';
import type { EmulatedPage, GraphDirectory } from './graph-directory.js';
import {
  fetchMedia,
  graphList,
  type GraphNode,
  graphPath,
  graphProblem,
  graphTime,
  invalidParameter,
  param,
  permissionError,
  selectFields,
  sniffImageType,
  unsupportedRequest,
} from './graph-wire.js';

/** Page posts and photos: `POST /{page-id}/feed`, `POST /{page-id}/photos`, `GET /{page-id}/published_posts`. */

export interface EmulatedPhoto {
  id: string;
  pageId: string;
  bytes: Buffer;
  altText: string;
  caption: string;
  /** Published as a post of its own, or attached to one; false while it waits to be attached. */
  published: boolean;
  /** How it arrived: uploaded bytes (`source`) or fetched from `url`. */
  uploadedAs: 'source' | 'url';
}

export interface EmulatedFacebookPost {
  /** `<page-id>_<post-id>`, as Graph names Page posts. */
  id: string;
  pageId: string;
  message: string;
  photos: EmulatedPhoto[];
  createdAt: Date;
}

const MAX_MESSAGE_LENGTH = 63_206;
/** "A photo must be less than 10MB in size." */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif']);

const invalidImage = () => graphProblem(400, { message: '(#324) Missing or invalid image file', code: 324 });
const duplicateStatus = () => graphProblem(400, { message: '(#506) Duplicate status message', code: 506 });

export class FacebookPages {
  readonly posts: EmulatedFacebookPost[] = [];
  private readonly photos = new Map<string, EmulatedPhoto>();
  private readonly nextId = sequentialIds(122_100_000_000_000_000);

  constructor(private readonly directory: GraphDirectory) {}

  routes(): EmulatorRoute[] {
    return [
      {
        // One route for both edges that create Page posts, so a fault on "publishing" hits either.
        name: 'pagePost',
        method: 'POST',
        path: graphPath('/(?<id>\\d+)/(?<edge>feed|photos)'),
        handle: async (request) => {
          const page = this.pageToPublishTo(request);
          const body =
            request.params.edge === 'feed' ? this.createPost(page, request) : await this.addPhoto(page, request);
          return { status: 200, body };
        },
      },
      {
        name: 'pagePosts',
        method: 'GET',
        path: graphPath('/(?<id>\\d+)/(?<edge>published_posts|posts|feed)'),
        handle: (request) => ({ status: 200, body: this.listPosts(request) }),
      },
    ];
  }

  /** `GET /{id}` of a post or a photo. */
  node(id: string): GraphNode | undefined {
    const post = this.posts.find((candidate) => candidate.id === id);
    if (post) return postNode(post);
    const photo = this.photos.get(id);
    if (!photo) return undefined;
    return {
      type: 'Photo',
      fields: { id: photo.id, name: photo.caption || undefined, alt_text_custom: photo.altText || undefined },
    };
  }

  reset(): void {
    this.posts.length = 0;
    this.photos.clear();
  }

  /** Publishing as a Page takes that Page's token with pages_manage_posts and pages_read_engagement. */
  private pageToPublishTo(request: EmulatorRequest): EmulatedPage {
    const grant = this.directory.authenticate(request);
    const page = this.directory.pages.get(request.params.id);
    if (!page) throw unsupportedRequest('POST', request.params.id);
    if (grant.pageId !== page.id) {
      throw permissionError(
        'If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission',
      );
    }
    this.directory.requireScopes(grant, 'pages_manage_posts', 'pages_read_engagement');
    return page;
  }

  private createPost(page: EmulatedPage, request: EmulatorRequest): { id: string } {
    const message = param(request, 'message') ?? '';
    checkLength(message, 'message');
    const photos = this.attachedPhotos(page, request);
    if (message.trim() === '' && photos.length === 0) throw invalidParameter('Missing message or attachment');
    if (photos.length === 0 && this.posts.some((post) => post.pageId === page.id && post.message === message)) {
      throw duplicateStatus();
    }
    const post = this.record(page, message, photos);
    return { id: post.id };
  }

  private async addPhoto(page: EmulatedPage, request: EmulatorRequest): Promise<{ id: string; post_id?: string }> {
    const upload = request.files.find((file) => file.field === 'source');
    const url = param(request, 'url');
    let bytes: Buffer;
    if (upload) {
      bytes = upload.data;
    } else if (url) {
      const fetched = await fetchMedia(url, MAX_PHOTO_BYTES - 1);
      if (!fetched.ok) throw fetched.reason === 'too-large' ? tooLarge() : invalidImage();
      bytes = fetched.bytes;
    } else {
      throw graphProblem(400, { message: '(#324) Requires upload file', code: 324 });
    }
    if (bytes.length >= MAX_PHOTO_BYTES) throw tooLarge();
    if (!PHOTO_TYPES.has(sniffImageType(bytes) ?? '')) throw invalidImage();

    const caption = param(request, 'caption') ?? param(request, 'message') ?? '';
    checkLength(caption, 'caption');
    const photo: EmulatedPhoto = {
      id: this.nextId(),
      pageId: page.id,
      bytes,
      altText: param(request, 'alt_text_custom') ?? '',
      caption,
      published: param(request, 'published') !== 'false',
      uploadedAs: upload ? 'source' : 'url',
    };
    this.photos.set(photo.id, photo);
    if (!photo.published) return { id: photo.id };
    return { id: photo.id, post_id: this.record(page, caption, [photo]).id };
  }

  /** `attached_media` as a JSON array, or as form fields `attached_media[0]`, `attached_media[1]`... */
  private attachedPhotos(page: EmulatedPage, request: EmulatorRequest): EmulatedPhoto[] {
    const entries: unknown[] = [];
    const all = param(request, 'attached_media');
    if (all !== undefined) {
      const parsed = parseJson(all, 'attached_media');
      entries.push(...(Array.isArray(parsed) ? (parsed as unknown[]) : [parsed]));
    }
    for (let index = 0; ; index += 1) {
      const one = param(request, `attached_media[${index}]`);
      if (one === undefined) break;
      entries.push(parseJson(one, `attached_media[${index}]`));
    }
    return entries.map((entry, index) => {
      const fbid = (entry as { media_fbid?: unknown } | null)?.media_fbid;
      const id = typeof fbid === 'string' || typeof fbid === 'number' ? String(fbid) : '';
      const photo = this.photos.get(id);
      if (!photo || photo.pageId !== page.id || photo.published) {
        throw invalidParameter(`attached_media[${index}]: media_fbid ${id} is not an unpublished photo of this Page`);
      }
      return photo;
    });
  }

  private record(page: EmulatedPage, message: string, photos: EmulatedPhoto[]): EmulatedFacebookPost {
    photos.forEach((photo) => (photo.published = true));
    const post = { id: `${page.id}_${this.nextId()}`, pageId: page.id, message, photos, createdAt: new Date() };
    this.posts.push(post);
    return post;
  }

  /** Newest first, filtered by `since`/`until` (unix seconds or a date), with cursor paging. */
  private listPosts(request: EmulatorRequest) {
    const grant = this.directory.authenticate(request);
    const page = this.directory.pages.get(request.params.id);
    if (!page) throw unsupportedRequest('GET', request.params.id);
    if (grant.pageId !== undefined && grant.pageId !== page.id) {
      throw permissionError('The page access token used does not belong to this page');
    }
    this.directory.requireScopes(grant, 'pages_read_engagement');
    const since = timeParam(request, 'since');
    const until = timeParam(request, 'until');
    const posts = this.posts
      .filter((post) => post.pageId === page.id)
      .filter((post) => since === undefined || post.createdAt.getTime() >= since)
      .filter((post) => until === undefined || post.createdAt.getTime() <= until)
      .reverse();
    return graphList(
      request,
      posts.map((post) => selectFields(postNode(post), request)),
    );
  }
}

const postNode = (post: EmulatedFacebookPost): GraphNode => ({
  type: 'Post',
  fields: {
    id: post.id,
    message: post.message || undefined,
    created_time: graphTime(post.createdAt),
    permalink_url: `https://www.facebook.com/${post.id}`,
  },
  defaultFields: ['created_time', 'message', 'id'],
});

function parseJson(value: string, name: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw invalidParameter(`param ${name} must be valid JSON`);
  }
}

function checkLength(text: string, name: string): void {
  if (text.length > MAX_MESSAGE_LENGTH) {
    throw invalidParameter(`Param ${name} must be at most ${MAX_MESSAGE_LENGTH} characters long`);
  }
}

const tooLarge = () => invalidParameter('The photo is too large: photos must be less than 10 MB');

function timeParam(request: EmulatorRequest, name: string): number | undefined {
  const value = param(request, name);
  if (value === undefined) return undefined;
  const time = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (Number.isNaN(time)) throw invalidParameter(`The parameter ${name} is not a valid time`);
  return time;
}
