import { cidFor, invalidRequest, isCid, isDid, tidGenerator, xrpcError } from './bluesky-wire.js';

/**
 * The repositories of the emulated PDS: uploaded blobs and `app.bsky.feed.post` records, checked
 * against the post lexicon the way a PDS checks them (messages as @atproto/lexicon words them), plus
 * one check a PDS leaves to the AppView: facet byte ranges must lie within the text.
 */

export const POST_COLLECTION = 'app.bsky.feed.post';
const MAX_TEXT_GRAPHEMES = 300;
const MAX_TEXT_BYTES = 3000;
const MAX_IMAGES = 4;
/** app.bsky.embed.images#image: `accept: ['image/*'], maxSize: 2000000`. */
const MAX_IMAGE_BYTES = 2_000_000;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const AT_URI =
  /^at:\/\/(did:[a-z]+:[a-zA-Z0-9._:%-]+|[a-zA-Z0-9.-]+)(\/[a-zA-Z0-9.-]+(\/[a-zA-Z0-9._~:@!$&'()*+,;=-]+)?)?$/;

export interface StoredBlob {
  cid: string;
  mimeType: string;
  data: Buffer;
}

export interface StoredImage {
  alt: string;
  blob: StoredBlob;
}

export interface StoredPost {
  uri: string;
  cid: string;
  did: string;
  rkey: string;
  value: PostRecord;
  images: StoredImage[];
  receivedAt: Date;
}

/** The fields of app.bsky.feed.post the emulator reads (the record is kept as sent). */
export interface PostRecord {
  $type: string;
  text: string;
  createdAt: string;
  reply?: { root: StrongRef; parent: StrongRef };
  [field: string]: unknown;
}

interface StrongRef {
  uri: string;
  cid: string;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (text: string) => [...segmenter.segment(text)].length;

export class BlueskyRecords {
  readonly posts: StoredPost[] = [];
  private readonly blobs = new Map<string, StoredBlob>();
  private readonly nextRkey = tidGenerator();

  /** `com.atproto.repo.uploadBlob`: the blob waits, untethered, for a record to reference it. */
  upload(did: string, mimeType: string, data: Buffer): StoredBlob {
    const blob = { cid: cidFor(data, 'raw'), mimeType, data };
    this.blobs.set(`${did} ${blob.cid}`, blob);
    return blob;
  }

  /** `com.atproto.repo.createRecord` for a post. */
  createPost(did: string, input: unknown, rkey?: string): StoredPost {
    const record = this.validPost(input);
    const images = this.embeddedImages(did, record);
    const key = rkey ?? this.nextRkey();
    if (this.posts.some((post) => post.did === did && post.rkey === key)) {
      // What a PDS answers today when the record key is taken (atproto#4728 would make it a named error).
      throw xrpcError(500);
    }
    const post: StoredPost = {
      uri: `at://${did}/${POST_COLLECTION}/${key}`,
      cid: cidFor(Buffer.from(JSON.stringify(record)), 'dagCbor'),
      did,
      rkey: key,
      value: record,
      images,
      receivedAt: new Date(),
    };
    this.posts.push(post);
    return post;
  }

  /** `com.atproto.repo.listRecords`: newest first unless `reverse`, paged by record key. */
  list(did: string, options: { limit: number; cursor?: string; reverse: boolean }) {
    const sorted = this.posts
      .filter((post) => post.did === did)
      .sort((a, b) => (a.rkey < b.rkey ? 1 : -1) * (options.reverse ? -1 : 1));
    const after = options.cursor;
    const rest = after ? sorted.filter((post) => (options.reverse ? post.rkey > after : post.rkey < after)) : sorted;
    const page = rest.slice(0, options.limit);
    const cursor = rest.length > options.limit ? page[page.length - 1].rkey : undefined;
    return { page, cursor };
  }

  find(did: string, rkey: string): StoredPost | undefined {
    return this.posts.find((post) => post.did === did && post.rkey === rkey);
  }

  clear(): void {
    this.posts.length = 0;
    this.blobs.clear();
  }

  private validPost(input: unknown): PostRecord {
    if (!isObject(input)) throw invalid('Record must be an object');
    const record = { ...input, $type: input.$type ?? POST_COLLECTION } as Record<string, unknown>;
    if (record.$type !== POST_COLLECTION) {
      throw invalidRequest(`Invalid $type: expected ${POST_COLLECTION}, got ${String(record.$type)}`);
    }
    const text = record.text;
    if (text === undefined) throw invalid('Record must have the property "text"');
    if (typeof text !== 'string') throw invalid('Record/text must be a string');
    if (Buffer.byteLength(text) > MAX_TEXT_BYTES) {
      throw invalid(`Record/text must not be longer than ${MAX_TEXT_BYTES} characters`);
    }
    if (graphemes(text) > MAX_TEXT_GRAPHEMES) {
      throw invalid(`Record/text must not be longer than ${MAX_TEXT_GRAPHEMES} graphemes`);
    }
    if (record.createdAt === undefined) throw invalid('Record must have the property "createdAt"');
    if (typeof record.createdAt !== 'string' || !DATETIME.test(record.createdAt)) {
      throw invalid('Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)');
    }
    if (record.langs !== undefined && (!Array.isArray(record.langs) || record.langs.length > 3)) {
      throw invalid('Record/langs must not have more than 3 elements');
    }
    checkFacets(record.facets, Buffer.byteLength(text));
    if (record.reply !== undefined) {
      if (!isObject(record.reply)) throw invalid('Record/reply must be an object');
      checkStrongRef(record.reply.root, 'Record/reply/root');
      checkStrongRef(record.reply.parent, 'Record/reply/parent');
    }
    return record as PostRecord;
  }

  private embeddedImages(did: string, record: PostRecord): StoredImage[] {
    const embed = record.embed;
    if (embed === undefined) return [];
    if (!isObject(embed) || embed.$type !== 'app.bsky.embed.images') {
      throw invalidRequest('The emulator only supports app.bsky.embed.images embeds');
    }
    if (!Array.isArray(embed.images)) throw invalid('Record/embed/images must be an array');
    if (embed.images.length > MAX_IMAGES) {
      throw invalid(`Record/embed/images must not have more than ${MAX_IMAGES} elements`);
    }
    return embed.images.map((image: unknown, index) => {
      const path = `Record/embed/images/${index}`;
      if (!isObject(image)) throw invalid(`${path} must be an object`);
      if (typeof image.alt !== 'string') throw invalid(`${path} must have the property "alt"`);
      const ref = image.image;
      const link = isObject(ref) && isObject(ref.ref) ? ref.ref.$link : undefined;
      if (!isObject(ref) || ref.$type !== 'blob' || !isCid(link) || typeof ref.mimeType !== 'string') {
        throw invalid(`${path}/image should be a blob ref`);
      }
      checkAspectRatio(image.aspectRatio, `${path}/aspectRatio`);
      const blob = this.blobs.get(`${did} ${link}`);
      if (!blob) throw invalidRequest(`Could not find blob: ${link}`, 'BlobNotFound');
      if (blob.data.length > MAX_IMAGE_BYTES) {
        throw invalidRequest(
          `This file is too large. It is ${megabytes(blob.data.length)} but the maximum size is ${megabytes(MAX_IMAGE_BYTES)}.`,
          'BlobTooLarge',
        );
      }
      if (!blob.mimeType.startsWith('image/')) {
        throw invalidRequest(
          `Wrong type of file. It is ${blob.mimeType} but it must match image/*.`,
          'InvalidMimeType',
        );
      }
      return { alt: image.alt, blob };
    });
  }
}

function checkFacets(facets: unknown, textBytes: number): void {
  if (facets === undefined) return;
  if (!Array.isArray(facets)) throw invalid('Record/facets must be an array');
  facets.forEach((facet: unknown, index) => {
    const path = `Record/facets/${index}`;
    if (!isObject(facet) || !isObject(facet.index) || !Array.isArray(facet.features)) {
      throw invalid(`${path} must have the properties "index" and "features"`);
    }
    const { byteStart, byteEnd } = facet.index;
    if (!Number.isInteger(byteStart) || !Number.isInteger(byteEnd) || (byteStart as number) < 0) {
      throw invalid(`${path}/index/byteStart and byteEnd must be integers of at least 0`);
    }
    if ((byteStart as number) > (byteEnd as number) || (byteEnd as number) > textBytes) {
      throw invalid(`${path}/index must be a byte range within the text (${textBytes} bytes)`);
    }
    facet.features.forEach((feature: unknown, featureIndex) => {
      const at = `${path}/features/${featureIndex}`;
      if (!isObject(feature)) throw invalid(`${at} must be an object`);
      if (
        feature.$type === 'app.bsky.richtext.facet#mention' &&
        !(typeof feature.did === 'string' && isDid(feature.did))
      ) {
        throw invalid(`${at}/did must be a valid did`);
      }
      if (
        feature.$type === 'app.bsky.richtext.facet#link' &&
        !(typeof feature.uri === 'string' && isUri(feature.uri))
      ) {
        throw invalid(`${at}/uri must be a uri`);
      }
    });
  });
}

function checkStrongRef(ref: unknown, path: string): void {
  if (!isObject(ref)) throw invalid(`${path} must be an object`);
  if (typeof ref.uri !== 'string' || !AT_URI.test(ref.uri)) throw invalid(`${path}/uri must be a valid at-uri`);
  if (!isCid(ref.cid)) throw invalid(`${path}/cid must be a cid string`);
}

function checkAspectRatio(ratio: unknown, path: string): void {
  if (ratio === undefined) return;
  const positive = (value: unknown) => Number.isInteger(value) && (value as number) >= 1;
  if (!isObject(ratio) || !positive(ratio.width) || !positive(ratio.height)) {
    throw invalid(`${path} must have integer width and height of at least 1`);
  }
}

function isUri(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\S+$/i.test(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sizes as the PDS words them (pretty-bytes: SI units, three significant digits). */
const megabytes = (bytes: number) => `${Number((bytes / 1_000_000).toPrecision(3))} MB`;

/** How the PDS reports a record that breaks its lexicon. */
const invalid = (message: string) => invalidRequest(`Invalid ${POST_COLLECTION} record: ${message}`);
