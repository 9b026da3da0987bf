import type { EmulatorClock } from '../kit/emulator-clock.js';
import type { AttachedMedia, XMediaUploads } from './x-media.js';
import {
  duplicateContent,
  invalidRequest,
  renderText,
  replyNotVisible,
  X_MAX_WEIGHTED_LENGTH,
  weightedLength,
  type XUser,
} from './x-wire.js';

/** `POST /2/tweets` and `GET /2/users/:id/tweets`, over the posts the emulator keeps. */

export interface RecordedTweet {
  id: string;
  text: string;
  authorId: string;
  token: string;
  receivedAt: Date;
  /** The images attached, in order, with their bytes and alt text. */
  media?: AttachedMedia[];
  /** The post this one replies to (threads). */
  replyToId?: string;
}

/** Fields a timeline returns only when `tweet.fields` asks for them, as X does. */
const OPTIONAL_FIELDS = [
  'created_at',
  'author_id',
  'conversation_id',
  'in_reply_to_user_id',
  'referenced_tweets',
  'attachments',
];

export class XTweets {
  constructor(
    readonly tweets: RecordedTweet[],
    private readonly media: XMediaUploads,
    private readonly nextId: () => string,
    private readonly clock: EmulatorClock,
    private readonly onTweet?: (tweet: RecordedTweet) => void,
  ) {}

  create(author: XUser, token: string, body: unknown): object {
    const payload = (typeof body === 'object' && body !== null ? body : {}) as {
      text?: unknown;
      media?: { media_ids?: unknown };
      reply?: { in_reply_to_tweet_id?: unknown };
    };
    const text = payload.text;
    if (text !== undefined && typeof text !== 'string') throw invalidRequest('$.text: must be a string');
    if (payload.media !== undefined && (typeof payload.media !== 'object' || payload.media === null)) {
      throw invalidRequest('$.media: must be an object');
    }
    const hasText = typeof text === 'string' && text.trim() !== '';
    if (!hasText && payload.media === undefined) {
      throw invalidRequest('$.text: text is required when the post has no media');
    }
    const length = hasText ? weightedLength(text) : 0;
    if (length > X_MAX_WEIGHTED_LENGTH) {
      throw invalidRequest(`$.text: Tweet text is too long (${length} weighted characters; the limit is 280)`);
    }
    const replyToId = this.parentOf(payload.reply);
    const media = payload.media === undefined ? undefined : this.media.attach(author, payload.media.media_ids);
    if (hasText && this.tweets.some((tweet) => tweet.authorId === author.id && tweet.text === text)) {
      throw duplicateContent();
    }

    const tweet: RecordedTweet = {
      id: this.nextId(),
      text: text ?? '',
      authorId: author.id,
      token,
      receivedAt: new Date(this.clock.now()),
      ...(media ? { media } : {}),
      ...(replyToId ? { replyToId } : {}),
    };
    this.tweets.push(tweet);
    this.onTweet?.(tweet);
    return { data: { id: tweet.id, text: rendered(tweet), edit_history_tweet_ids: [tweet.id] } };
  }

  timeline(userId: string, query: URLSearchParams): object {
    const maxResults = Number(query.get('max_results') ?? '10');
    if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 100) {
      throw invalidRequest('The `max_results` query parameter value is not between 5 and 100');
    }
    const start = timeBound(query, 'start_time');
    const end = timeBound(query, 'end_time');
    const fields = new Set((query.get('tweet.fields') ?? '').split(',').filter((field) => field !== ''));
    const unknown = [...fields].filter(
      (field) => !OPTIONAL_FIELDS.includes(field) && field !== 'id' && field !== 'text',
    );
    if (unknown.length > 0)
      throw invalidRequest(
        `The \`tweet.fields\` query parameter value [${unknown[0]}] is not one of the accepted values`,
      );

    const offset = Number(Buffer.from(query.get('pagination_token') ?? '', 'base64url').toString() || '0');
    const matching = this.tweets
      .filter((tweet) => tweet.authorId === userId)
      .filter((tweet) => start === undefined || tweet.receivedAt.getTime() >= start)
      .filter((tweet) => end === undefined || tweet.receivedAt.getTime() <= end)
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    const page = matching.slice(offset, offset + maxResults);
    if (page.length === 0) return { meta: { result_count: 0 } };
    const hasMore = offset + maxResults < matching.length;
    return {
      data: page.map((tweet) => this.present(tweet, fields)),
      meta: {
        result_count: page.length,
        newest_id: page[0].id,
        oldest_id: page[page.length - 1].id,
        ...(hasMore ? { next_token: Buffer.from(String(offset + maxResults)).toString('base64url') } : {}),
      },
    };
  }

  /** X refuses a reply to a post that does not exist (or that the author cannot see). */
  private parentOf(reply: { in_reply_to_tweet_id?: unknown } | undefined): string | undefined {
    if (reply === undefined) return undefined;
    const parentId = reply?.in_reply_to_tweet_id;
    if (typeof parentId !== 'string' || !/^\d{1,19}$/.test(parentId)) {
      throw invalidRequest('$.reply.in_reply_to_tweet_id: is missing but it is required');
    }
    if (!this.tweets.some((tweet) => tweet.id === parentId)) throw replyNotVisible();
    return parentId;
  }

  private present(tweet: RecordedTweet, fields: Set<string>): object {
    const parent = tweet.replyToId ? this.tweets.find((candidate) => candidate.id === tweet.replyToId) : undefined;
    const optional: Record<string, unknown> = {
      created_at: tweet.receivedAt.toISOString(),
      author_id: tweet.authorId,
      conversation_id: this.conversationOf(tweet),
      in_reply_to_user_id: parent?.authorId,
      referenced_tweets: tweet.replyToId ? [{ type: 'replied_to', id: tweet.replyToId }] : undefined,
      attachments: tweet.media ? { media_keys: tweet.media.map((item) => item.mediaKey) } : undefined,
    };
    const chosen = Object.entries(optional).filter(([field, value]) => fields.has(field) && value !== undefined);
    return { id: tweet.id, text: rendered(tweet), edit_history_tweet_ids: [tweet.id], ...Object.fromEntries(chosen) };
  }

  private conversationOf(tweet: RecordedTweet): string {
    let root = tweet;
    for (let parent = this.byId(root.replyToId); parent; parent = this.byId(root.replyToId)) root = parent;
    return root.id;
  }

  private byId(id: string | undefined): RecordedTweet | undefined {
    return id === undefined ? undefined : this.tweets.find((tweet) => tweet.id === id);
  }
}

const rendered = (tweet: RecordedTweet) =>
  renderText(
    tweet.text,
    tweet.media?.map((item) => item.mediaKey),
  );

function timeBound(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(time)) {
    throw invalidRequest(`Invalid '${name}':'${value}'. '${name}' must be a RFC 3339 date-time.`);
  }
  return time;
}
