import {
  contentRefusal,
  MAX_ALT_TEXT_LENGTH,
  MAX_COMMENTARY_LENGTH,
  MAX_MULTI_IMAGES,
  MIN_MULTI_IMAGES,
  renderLittleText,
  restliError,
  unprocessable,
} from './linkedin-wire.js';

/** How the Posts API checks a create request (`POST /rest/posts`), field by field as LinkedIn reports it. */

export interface PostImage {
  id: string;
  altText: string;
  mimeType: string;
  data: Buffer;
}

export interface CheckedPost {
  author: string;
  commentary: string;
  text: string;
  visibility: string;
  lifecycleState: string;
  images: PostImage[];
}

interface KnownImage {
  owner: string;
  data?: Buffer;
  mimeType?: string;
}

const FIELDS = new Set([
  'author',
  'commentary',
  'visibility',
  'distribution',
  'lifecycleState',
  'isReshareDisabledByAuthor',
  'content',
  'contentLandingPage',
  'contentCallToActionLabel',
  'reshareContext',
  'container',
]);
const REQUIRED = ['author', 'commentary', 'visibility', 'distribution', 'lifecycleState'];
const VISIBILITIES = ['PUBLIC', 'CONNECTIONS', 'LOGGED_IN', 'CONTAINER'];
const LIFECYCLE_STATES = ['PUBLISHED', 'DRAFT'];
const FEED_DISTRIBUTIONS = ['MAIN_FEED', 'NONE'];
const AUTHOR = /^urn:li:(person:[\w-]+|organization:\d+)$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function checkPostBody(body: unknown, findImage: (urn: string) => KnownImage | undefined): CheckedPost {
  if (!isObject(body)) throw restliError(400, 'ILLEGAL_ARGUMENT', 'Request body could not be converted to data map');
  const problems: string[] = [];
  for (const field of Object.keys(body)) {
    if (!FIELDS.has(field)) problems.push(`/${field} :: unrecognized field found but not allowed`);
  }
  for (const field of REQUIRED) {
    if (body[field] === undefined)
      problems.push(`/${field} :: field is required but not found and has no default value`);
  }
  const oneOf = (field: string, value: unknown, allowed: string[]) => {
    if (value !== undefined && (typeof value !== 'string' || !allowed.includes(value))) {
      problems.push(`/${field} :: ${JSON.stringify(value)} is not an enum symbol`);
    }
  };
  oneOf('visibility', body.visibility, VISIBILITIES);
  oneOf('lifecycleState', body.lifecycleState, LIFECYCLE_STATES);
  if (body.author !== undefined && (typeof body.author !== 'string' || !AUTHOR.test(body.author))) {
    problems.push(`/author :: ${JSON.stringify(body.author)} is not a valid person or organization URN`);
  }
  if (body.commentary !== undefined && typeof body.commentary !== 'string') {
    problems.push('/commentary :: not a string');
  }
  if (body.distribution !== undefined) {
    const distribution = isObject(body.distribution) ? body.distribution : {};
    if (distribution.feedDistribution === undefined) {
      problems.push('/distribution/feedDistribution :: field is required but not found and has no default value');
    }
    oneOf('distribution/feedDistribution', distribution.feedDistribution, FEED_DISTRIBUTIONS);
  }
  const references = contentImages(body.content, problems);
  if (problems.length > 0) throw unprocessable(problems);

  const author = body.author as string;
  const commentary = body.commentary as string;
  const images = references.map((reference, index) => resolveImage(reference, index, author, findImage));
  const { text } = renderLittleText(commentary);
  if (text.length > MAX_COMMENTARY_LENGTH) {
    throw contentRefusal(
      400,
      `ShareCommentary text length (${text.length} characters) exceeded the maximum allowed (${MAX_COMMENTARY_LENGTH} characters)`,
      {
        code: 'FIELD_ARRAY_SIZE_TOO_HIGH',
        description: 'Size of array cannot be higher than the maxLength',
        input: { value: { stringValue: commentary } },
        maxLength: MAX_COMMENTARY_LENGTH,
      },
    );
  }
  if (text.trim() === '' && images.length === 0) {
    throw unprocessable(['/commentary :: a post without content must have commentary']);
  }
  return {
    author,
    commentary,
    text,
    visibility: body.visibility as string,
    lifecycleState: body.lifecycleState as string,
    images,
  };
}

interface ImageReference {
  id: string;
  altText: string;
  path: string;
}

/** `content.media` (one image) or `content.multiImage.images` (2 to 20); other content is not emulated. */
function contentImages(content: unknown, problems: string[]): ImageReference[] {
  if (content === undefined) return [];
  if (!isObject(content) || Object.keys(content).length !== 1) {
    problems.push('/content :: exactly one of media, multiImage, article, poll... must be set');
    return [];
  }
  const reference = (value: unknown, path: string): ImageReference | undefined => {
    if (!isObject(value) || typeof value.id !== 'string') {
      problems.push(`${path}/id :: field is required but not found and has no default value`);
      return undefined;
    }
    const altText = value.altText ?? '';
    if (typeof altText !== 'string') problems.push(`${path}/altText :: not a string`);
    else if (altText.length > MAX_ALT_TEXT_LENGTH) {
      problems.push(`${path}/altText :: length ${altText.length} exceeds the maximum of ${MAX_ALT_TEXT_LENGTH}`);
    }
    return { id: value.id, altText: typeof altText === 'string' ? altText : '', path };
  };
  if ('media' in content) {
    const single = reference(content.media, '/content/media');
    return single ? [single] : [];
  }
  if ('multiImage' in content) {
    const list = isObject(content.multiImage) ? content.multiImage.images : undefined;
    if (!Array.isArray(list) || list.length < MIN_MULTI_IMAGES || list.length > MAX_MULTI_IMAGES) {
      const size = Array.isArray(list) ? list.length : 0;
      problems.push(
        `/content/multiImage/images :: array size ${size} is out of range ${MIN_MULTI_IMAGES}-${MAX_MULTI_IMAGES}`,
      );
      return [];
    }
    return list
      .map((item, index) => reference(item, `/content/multiImage/images/${index}`))
      .filter((item): item is ImageReference => item !== undefined);
  }
  problems.push(`/content/${Object.keys(content)[0]} :: this content type is not supported by the emulator`);
  return [];
}

function resolveImage(
  reference: ImageReference,
  index: number,
  author: string,
  findImage: (urn: string) => KnownImage | undefined,
): PostImage {
  const image = /^urn:li:image:/.test(reference.id) ? findImage(reference.id) : undefined;
  if (!image || image.owner !== author) {
    throw unprocessable([`${reference.path}/id :: ${reference.id} does not exist or is not owned by ${author}`]);
  }
  if (!image.data || !image.mimeType) {
    const status = image.data ? 'PROCESSING_FAILED' : 'WAITING_UPLOAD';
    throw contentRefusal(400, `Image ${reference.id} is not AVAILABLE (status ${status})`, {
      code: 'INVALID_MEDIA_STATUS',
      description: `Media number ${index + 1} is not ready to be posted`,
    });
  }
  return { id: reference.id, altText: reference.altText, mimeType: image.mimeType, data: image.data };
}
