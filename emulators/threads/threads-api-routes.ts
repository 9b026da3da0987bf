import type { EmulatorRequest, EmulatorRoute } from '../kit/emulator-server.js';
import { fetchImage } from './threads-images.js';
import {
  type Container,
  type PublishedThread,
  stringParam,
  type ThreadsState,
  type ThreadsUser,
} from './threads-state.js';
import {
  countLinks,
  graphProblem,
  graphTimestamp,
  invalidParameter,
  MAX_ALT_TEXT_LENGTH,
  MAX_CAROUSEL_ITEMS,
  MAX_LINKS,
  MAX_TEXT_LENGTH,
  MIN_CAROUSEL_ITEMS,
  missingPermission,
  offsetFromCursor,
  page,
  POST_QUOTA,
  QUOTA_WINDOW_MS,
  REPLY_QUOTA,
  shortcodeFor,
  threadsTextLength,
  unsupportedRequest,
} from './threads-wire.js';

const VERSIONED = '^/(?:v1\\.0/)?';
const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 25;

/** The Graph endpoints Herald uses: profile, media containers, publishing, and the profile's posts and replies. */
export function threadsApiRoutes(
  state: ThreadsState,
  onPost: (post: PublishedThread) => void = () => undefined,
): EmulatorRoute[] {
  return [
    {
      name: 'object',
      method: 'GET',
      path: new RegExp(`${VERSIONED}(?<id>me|\\d+)/?$`),
      handle: (request) => ({ status: 200, body: readObject(state, request) }),
    },
    {
      name: 'createContainer',
      method: 'POST',
      path: new RegExp(`${VERSIONED}(?<userId>me|\\d+)/threads$`),
      handle: async (request) => ({ status: 200, body: { id: (await createContainer(state, request)).id } }),
    },
    {
      name: 'publish',
      method: 'POST',
      path: new RegExp(`${VERSIONED}(?<userId>me|\\d+)/threads_publish$`),
      handle: (request) => {
        const post = publish(state, request);
        onPost(post);
        return { status: 200, body: { id: post.id } };
      },
    },
    {
      name: 'userThreads',
      method: 'GET',
      path: new RegExp(`${VERSIONED}(?<userId>me|\\d+)/threads$`),
      handle: (request) => ({ status: 200, body: listPosts(state, request, 'threads') }),
    },
    {
      name: 'userReplies',
      method: 'GET',
      path: new RegExp(`${VERSIONED}(?<userId>me|\\d+)/replies$`),
      handle: (request) => ({ status: 200, body: listPosts(state, request, 'replies') }),
    },
  ];
}

function readObject(state: ThreadsState, request: EmulatorRequest): Record<string, unknown> {
  const { user } = state.authenticate(request);
  const id = request.params.id;
  const fields = stringParam(request, 'fields');
  if (id === 'me' || id === user.id) return select(userFields(user), fields, 'ThreadsUser');

  const container = state.containers.get(id);
  if (container?.userId === user.id) {
    const status = state.status(container);
    container.heldForReads = Math.max(0, container.heldForReads - 1);
    return select(
      {
        id: () => container.id,
        status: () => status,
        error_message: () => (status === 'ERROR' ? container.errorMessage : undefined),
      },
      fields,
      'ThreadsMediaContainer',
    );
  }
  const post = state.postById(id);
  if (post?.userId === user.id) return select(mediaFields(state, post), fields, 'ThreadsMedia');
  throw unsupportedRequest('GET', id);
}

async function createContainer(state: ThreadsState, request: EmulatorRequest): Promise<Container> {
  const { user, token } = state.authenticate(request);
  state.ownProfile(request.params.userId, user, 'POST');
  state.requireScope(token, 'threads_content_publish');

  const mediaType = stringParam(request, 'media_type');
  if (!mediaType) throw invalidParameter('The parameter media_type is required');
  if (mediaType === 'VIDEO') throw invalidParameter('VIDEO containers are not emulated');
  if (mediaType !== 'TEXT' && mediaType !== 'IMAGE' && mediaType !== 'CAROUSEL') {
    throw invalidParameter('Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}');
  }
  const isCarouselItem = stringParam(request, 'is_carousel_item') === 'true';
  if (isCarouselItem && mediaType !== 'IMAGE') throw invalidParameter('Only images and videos can be carousel items');

  const text = stringParam(request, 'text') ?? null;
  if (mediaType === 'TEXT' && !text?.trim()) throw invalidParameter('The parameter text is required');
  if (text !== null) checkText(text);

  const altText = stringParam(request, 'alt_text') ?? null;
  if (altText !== null && [...altText].length > MAX_ALT_TEXT_LENGTH) {
    throw invalidParameter(`Param alt_text must be at most ${MAX_ALT_TEXT_LENGTH} characters long`);
  }
  const replyToId = stringParam(request, 'reply_to_id') ?? null;
  if (replyToId !== null) checkReplyTarget(state, replyToId, user);

  let image: Container['image'] = null;
  let children: string[] = [];
  if (mediaType === 'IMAGE') {
    const imageUrl = stringParam(request, 'image_url');
    if (!imageUrl) throw invalidParameter('The parameter image_url is required');
    image = { url: imageUrl, altText, ...(await fetchImage(imageUrl)) };
  } else if (mediaType === 'CAROUSEL') {
    children = carouselChildren(state, stringParam(request, 'children'), user);
  }

  const container: Container = {
    id: state.nextMediaId(),
    userId: user.id,
    mediaType,
    text,
    image,
    isCarouselItem,
    children,
    replyToId,
    createdAt: new Date(),
    readyAt: Date.now() + (mediaType === 'TEXT' ? 0 : state.processingMs),
    heldForReads: state.takeContainerHold(),
    errorMessage: state.takeContainerFailure(),
    publishedAs: null,
  };
  state.containers.set(container.id, container);
  return container;
}

function checkText(text: string): void {
  const length = threadsTextLength(text);
  if (length > MAX_TEXT_LENGTH) {
    throw invalidParameter(`Param text must be at most ${MAX_TEXT_LENGTH} characters long (it counts ${length})`);
  }
  const links = countLinks(text);
  if (links > MAX_LINKS) {
    throw graphProblem(400, {
      message: `THREADS_API__LINK_LIMIT_EXCEEDED: the post contains ${links} links; at most ${MAX_LINKS} are allowed`,
      code: 100,
    });
  }
}

/** Replies go under a post of a conversation the profile started. */
function checkReplyTarget(state: ThreadsState, replyToId: string, user: ThreadsUser): void {
  const target = state.postById(replyToId);
  if (!target) throw invalidParameter('Param reply_to_id must be a valid Threads media id');
  if (state.postById(target.rootId)?.userId !== user.id) throw missingPermission();
}

function carouselChildren(state: ThreadsState, value: string | undefined, user: ThreadsUser): string[] {
  if (!value) throw invalidParameter('The parameter children is required');
  const ids = value.split(',').map((id) => id.trim());
  if (ids.length < MIN_CAROUSEL_ITEMS || ids.length > MAX_CAROUSEL_ITEMS) {
    throw invalidParameter(`Param children must hold between ${MIN_CAROUSEL_ITEMS} and ${MAX_CAROUSEL_ITEMS} ids`);
  }
  for (const id of ids) {
    const child = state.containers.get(id);
    if (!child || child.userId !== user.id || !child.isCarouselItem || child.publishedAs) {
      throw invalidParameter(`Param children holds ${id}, which is not a carousel item container of this profile`);
    }
  }
  return ids;
}

function publish(state: ThreadsState, request: EmulatorRequest): PublishedThread {
  const { user, token } = state.authenticate(request);
  state.ownProfile(request.params.userId, user, 'POST');
  state.requireScope(token, 'threads_content_publish');

  const creationId = stringParam(request, 'creation_id');
  if (!creationId) throw invalidParameter('The parameter creation_id is required');
  const container = state.containers.get(creationId);
  if (!container || container.userId !== user.id) {
    throw graphProblem(400, {
      message: 'Media Not Found',
      code: 24,
      error_subcode: 4279009,
      error_user_title: 'Media Not Found',
      error_user_msg: 'The media container could not be found.',
    });
  }
  if (container.isCarouselItem) throw invalidParameter('A carousel item is published through its carousel container');
  checkPublishable(state, container);
  checkQuota(state, user, container.replyToId !== null);

  const id = state.nextMediaId();
  const shortcode = shortcodeFor(id);
  const images = container.image ? [container.image] : container.children.map((c) => state.containers.get(c)!.image!);
  const post: PublishedThread = {
    id,
    userId: user.id,
    username: user.username,
    containerId: container.id,
    mediaType:
      container.mediaType === 'TEXT' ? 'TEXT_POST' : container.mediaType === 'IMAGE' ? 'IMAGE' : 'CAROUSEL_ALBUM',
    text: container.text,
    images,
    replyToId: container.replyToId,
    rootId: container.replyToId ? state.postById(container.replyToId)!.rootId : id,
    shortcode,
    permalink: `https://www.threads.com/@${user.username}/post/${shortcode}`,
    publishedAt: new Date(),
  };
  container.publishedAs = id;
  for (const child of container.children) state.containers.get(child)!.publishedAs = id;
  state.posts.push(post);
  return post;
}

function checkPublishable(state: ThreadsState, container: Container): void {
  switch (state.status(container)) {
    case 'FINISHED':
      return;
    case 'IN_PROGRESS':
      throw graphProblem(400, {
        message: 'Media ID is not available',
        code: 9007,
        error_subcode: 2207027,
        error_user_title: 'Media not ready for publishing',
        error_user_msg: 'The media is not ready for publishing, please wait for a moment',
      });
    case 'ERROR':
      throw invalidParameter(
        `The media container failed processing (${container.errorMessage}) and cannot be published`,
      );
    case 'EXPIRED':
      throw invalidParameter('The media container has expired; create a new one');
    case 'PUBLISHED':
      throw invalidParameter('The media container has already been published');
  }
}

function checkQuota(state: ThreadsState, user: ThreadsUser, isReply: boolean): void {
  const since = Date.now() - QUOTA_WINDOW_MS;
  const used = state.posts.filter(
    (post) => post.userId === user.id && (post.replyToId !== null) === isReply && post.publishedAt.getTime() > since,
  ).length;
  if (used >= (isReply ? REPLY_QUOTA : POST_QUOTA)) {
    throw graphProblem(400, { message: '(#613) Calls to this api have exceeded the rate limit.', code: 613 });
  }
}

function listPosts(state: ThreadsState, request: EmulatorRequest, edge: 'threads' | 'replies') {
  const { user, token } = state.authenticate(request);
  state.ownProfile(request.params.userId, user, 'GET');
  if (edge === 'replies') state.requireScope(token, 'threads_read_replies');

  const since = timeParam(request, 'since');
  const until = timeParam(request, 'until');
  const limitParam = stringParam(request, 'limit');
  const limit = limitParam === undefined ? DEFAULT_PAGE_SIZE : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1) throw invalidParameter('Param limit must be a positive integer');
  const offset = offsetFromCursor(stringParam(request, 'after') ?? null);

  const posts = state.posts
    .filter((post) => post.userId === user.id && (post.replyToId !== null) === (edge === 'replies'))
    .filter((post) => since === undefined || post.publishedAt.getTime() >= since)
    .filter((post) => until === undefined || post.publishedAt.getTime() <= until)
    .reverse();
  const fields = stringParam(request, 'fields');
  const items = posts.map((post) => select(mediaFields(state, post), fields, 'ThreadsMedia'));
  return page(items, offset, Math.min(limit, MAX_PAGE_SIZE), (after) => {
    const next = new URL(`http://${request.headers.host ?? 'graph.threads.net'}${request.url.pathname}`);
    request.url.searchParams.forEach((value, name) => next.searchParams.set(name, value));
    next.searchParams.set('after', after);
    return next.toString();
  });
}

/** `since`/`until`: a unix timestamp, or any date Graph can read. */
function timeParam(request: EmulatorRequest, name: string): number | undefined {
  const value = stringParam(request, name);
  if (value === undefined) return undefined;
  const time = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (Number.isNaN(time)) throw invalidParameter(`Param ${name} must be a unix timestamp or a date`);
  return time;
}

type Fields = Record<string, () => unknown>;

/** Graph returns the fields asked for (`id` by default, and always), and refuses fields a node does not have. */
function select(available: Fields, fieldsParam: string | undefined, nodeType: string): Record<string, unknown> {
  const names = (fieldsParam ?? 'id')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const selected: Record<string, unknown> = {};
  for (const name of names) {
    const read = available[name];
    if (!read) throw invalidParameter(`Tried accessing nonexisting field (${name}) on node type (${nodeType})`);
    const value = read();
    if (value !== undefined && value !== null) selected[name] = value;
  }
  return { ...selected, id: available.id() };
}

function userFields(user: ThreadsUser): Fields {
  return {
    id: () => user.id,
    username: () => user.username,
    name: () => user.username,
    threads_profile_picture_url: () => `https://scontent.cdninstagram.com/emulated/${user.id}.jpg`,
    threads_biography: () => '',
  };
}

function mediaFields(state: ThreadsState, post: PublishedThread): Fields {
  return {
    id: () => post.id,
    media_product_type: () => 'THREADS',
    media_type: () => post.mediaType,
    media_url: () => post.images[0]?.url,
    permalink: () => post.permalink,
    owner: () => ({ id: post.userId }),
    username: () => post.username,
    text: () => post.text,
    timestamp: () => graphTimestamp(post.publishedAt),
    shortcode: () => post.shortcode,
    alt_text: () => post.images[0]?.altText,
    is_quote_post: () => false,
    has_replies: () => state.posts.some((other) => other.replyToId === post.id),
    is_reply: () => post.replyToId !== null,
    replied_to: () => (post.replyToId ? { id: post.replyToId } : undefined),
    root_post: () => ({ id: post.rootId }),
  };
}
