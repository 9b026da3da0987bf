import { createHash, randomBytes } from 'node:crypto';
import {
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorServer,
  startEmulatorServer,
  type UploadedFile,
} from '../kit/emulator-server.js';
import {
  codePoints,
  emptyMessage,
  entityTooLarge,
  errorBody,
  FormErrors,
  invalidApiVersion,
  invalidJson,
  invalidWebhookToken,
  MAX_ATTACHMENTS,
  MAX_CONTENT_LENGTH,
  MAX_DESCRIPTION_LENGTH,
  MAX_FILE_BYTES,
  RATE_LIMIT,
  snowflakes,
  unknownWebhook,
} from './discord-wire.js';

/**
 * A stand-in for Discord's webhook endpoints that Herald calls: Get Webhook with Token
 * (`GET /api/v10/webhooks/<id>/<token>`) and Execute Webhook (`POST` to the same path, `?wait=true`
 * for the message in the answer), with JSON bodies or multipart bodies of `payload_json` and
 * `files[n]` parts, Discord's error codes, and X-RateLimit-* headers.
 * Webhooks exist once created (`createWebhook`); deleting one is how Discord revokes it.
 */

export interface DiscordWebhookAccount {
  id: string;
  token: string;
  name: string;
  guildId: string;
  channelId: string;
  /** The URL Discord shows for the webhook (a user pastes this into Herald). */
  url: string;
}

export interface RecordedAttachment {
  id: string;
  filename: string;
  /** The alt text. */
  description?: string;
  contentType: string;
  data: Buffer;
}

export interface RecordedDiscordMessage {
  id: string;
  webhookId: string;
  channelId: string;
  guildId: string;
  content: string;
  attachments: RecordedAttachment[];
  /** Whether the message pinged @everyone/@here (only if allowed_mentions let it). */
  mentionsEveryone: boolean;
  receivedAt: Date;
}

export interface DiscordEmulator extends EmulatorServer {
  readonly messages: RecordedDiscordMessage[];
  createWebhook(options?: { name?: string; guildId?: string; channelId?: string }): DiscordWebhookAccount;
  /** Later calls to the webhook answer 404 Unknown Webhook (10015). */
  deleteWebhook(id: string): void;
}

type Payload = Record<string, unknown>;

const WEBHOOK_PATH = /^\/api(?:\/v(?<version>\d+))?\/webhooks\/(?<id>[^/]+)\/(?<token>[^/]+)\/?$/;
const SUPPORTED_VERSIONS = new Set([undefined, '6', '7', '8', '9', '10']);
const MENTION_TYPES = ['everyone', 'users', 'roles'];

export async function startDiscordEmulator(options: { port?: number; host?: string } = {}): Promise<DiscordEmulator> {
  const messages: RecordedDiscordMessage[] = [];
  const webhooks = new Map<string, DiscordWebhookAccount>();
  let deleted = new Set<string>();
  const windows = new Map<string, { start: number; used: number }>();
  const nextId = snowflakes();

  const createWebhook: DiscordEmulator['createWebhook'] = (webhookOptions = {}) => {
    const id = nextId();
    const token = randomBytes(51).toString('base64url'); // 68 characters, like Discord's
    const webhook = {
      id,
      token,
      name: webhookOptions.name ?? 'Captain Hook',
      guildId: webhookOptions.guildId ?? nextId(),
      channelId: webhookOptions.channelId ?? nextId(),
      url: `https://discord.com/api/webhooks/${id}/${token}`,
    };
    webhooks.set(id, webhook);
    return webhook;
  };

  const authenticate = (request: EmulatorRequest): DiscordWebhookAccount => {
    if (!SUPPORTED_VERSIONS.has(request.params.version)) throw invalidApiVersion();
    const webhook = webhooks.get(request.params.id);
    if (!webhook || deleted.has(webhook.id)) throw unknownWebhook();
    if (request.params.token !== webhook.token) throw invalidWebhookToken();
    return webhook;
  };

  /** Discord reports its per-webhook bucket on every answer; the emulator only limits through faults. */
  const rateLimitHeaders = (webhook: DiscordWebhookAccount): Record<string, string> => {
    const now = Date.now();
    let window = windows.get(webhook.id);
    if (!window || now - window.start >= RATE_LIMIT.windowMs)
      windows.set(webhook.id, (window = { start: now, used: 0 }));
    window.used += 1;
    const resetAt = window.start + RATE_LIMIT.windowMs;
    return {
      'x-ratelimit-limit': String(RATE_LIMIT.limit),
      'x-ratelimit-remaining': String(Math.max(1, RATE_LIMIT.limit - window.used)),
      'x-ratelimit-reset': (resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': ((resetAt - now) / 1000).toFixed(3),
      'x-ratelimit-bucket': bucketOf(webhook.id),
    };
  };

  const payloadOf = (request: EmulatorRequest): Payload => {
    const type = String(request.headers['content-type'] ?? '').toLowerCase();
    if (type.startsWith('multipart/form-data')) {
      const fields = request.body ?? {};
      if (typeof fields.payload_json !== 'string') return fields;
      try {
        const parsed = JSON.parse(fields.payload_json) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Payload;
      } catch {
        // answered below, as Discord does
      }
      throw invalidJson();
    }
    if (request.raw !== undefined) {
      const errors = new FormErrors();
      errors.add(
        [],
        'CONTENT_TYPE_INVALID',
        `Expected "Content-Type" header to be one of {'application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'}.`,
      );
      errors.throwIfAny();
    }
    return request.body ?? {};
  };

  /** The files, each under its `files[n]` placeholder n (other part names count in order). */
  const filesOf = (request: EmulatorRequest) =>
    request.files.map((file, index) => ({
      placeholder: /^files\[(\d+)\]$/.exec(file.field)?.[1] ?? String(index),
      file,
    }));

  const validate = (
    payload: Payload,
    files: Array<{ placeholder: string; file: UploadedFile }>,
    errors: FormErrors,
  ) => {
    const content = payload.content;
    if (content !== undefined && content !== null && typeof content !== 'string') {
      errors.add(['content'], 'BASE_TYPE_STRING', 'Must be a string.');
    } else if (typeof content === 'string' && codePoints(content) > MAX_CONTENT_LENGTH) {
      errors.add(['content'], 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT_LENGTH} or fewer in length.`);
    }
    const parse = (payload.allowed_mentions as { parse?: unknown } | undefined)?.parse;
    if (parse !== undefined && !Array.isArray(parse))
      errors.add(['allowed_mentions', 'parse'], 'BASE_TYPE_LIST', 'Must be a list.');
    (Array.isArray(parse) ? parse : []).forEach((value: unknown, index) => {
      if (typeof value !== 'string' || !MENTION_TYPES.includes(value)) {
        errors.add(
          ['allowed_mentions', 'parse', index],
          'BASE_TYPE_CHOICES',
          "Value must be one of {'everyone', 'users', 'roles'}.",
        );
      }
    });
    if (files.length > MAX_ATTACHMENTS) {
      errors.add(['attachments'], 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_ATTACHMENTS} or fewer in length.`);
    }
    const attachments = payload.attachments;
    if (attachments !== undefined && !Array.isArray(attachments))
      errors.add(['attachments'], 'BASE_TYPE_LIST', 'Must be a list.');
    (Array.isArray(attachments) ? attachments : []).forEach((item: unknown, index) => {
      const meta = (item ?? {}) as Payload;
      if (!files.some(({ placeholder }) => placeholder === String(meta.id))) {
        errors.add(['attachments', index], 'ATTACHMENT_NOT_FOUND', 'Attachment data not found');
      }
      const description = meta.description;
      if (description !== undefined && description !== null && typeof description !== 'string') {
        errors.add(['attachments', index, 'description'], 'BASE_TYPE_STRING', 'Must be a string.');
      } else if (typeof description === 'string' && codePoints(description) > MAX_DESCRIPTION_LENGTH) {
        errors.add(
          ['attachments', index, 'description'],
          'BASE_TYPE_MAX_LENGTH',
          `Must be ${MAX_DESCRIPTION_LENGTH} or fewer in length.`,
        );
      }
    });
  };

  const mentionsEveryone = (content: string, payload: Payload) => {
    if (!/@(everyone|here)\b/.test(content)) return false;
    const allowed = payload.allowed_mentions as { parse?: unknown } | undefined;
    return allowed === undefined || (Array.isArray(allowed.parse) && allowed.parse.includes('everyone'));
  };

  const execute = (request: EmulatorRequest): EmulatorResponse => {
    const webhook = authenticate(request);
    const headers = rateLimitHeaders(webhook);
    const payload = payloadOf(request);
    const files = filesOf(request);
    const errors = new FormErrors();
    validate(payload, files, errors);
    errors.throwIfAny();
    if (files.some(({ file }) => file.data.length > MAX_FILE_BYTES)) throw entityTooLarge();
    const content = typeof payload.content === 'string' ? payload.content : '';
    if (content.trim() === '' && files.length === 0) throw emptyMessage();

    const metadata = Array.isArray(payload.attachments) ? (payload.attachments as Payload[]) : [];
    const message: RecordedDiscordMessage = {
      id: nextId(),
      webhookId: webhook.id,
      channelId: webhook.channelId,
      guildId: webhook.guildId,
      content,
      attachments: files.map(({ placeholder, file }) => {
        const meta = metadata.find((item) => String(item.id) === placeholder);
        const description = typeof meta?.description === 'string' && meta.description ? meta.description : undefined;
        return {
          id: nextId(),
          filename: typeof meta?.filename === 'string' ? meta.filename : file.filename,
          ...(description ? { description } : {}),
          contentType: file.mimeType,
          data: file.data,
        };
      }),
      mentionsEveryone: mentionsEveryone(content, payload),
      receivedAt: new Date(),
    };
    messages.push(message);
    const wait = ['true', '1'].includes((request.url.searchParams.get('wait') ?? '').toLowerCase());
    return wait ? { status: 200, body: messageJson(message, webhook), headers } : { status: 204, headers };
  };

  const getWebhook = (request: EmulatorRequest): EmulatorResponse => {
    const webhook = authenticate(request);
    return {
      status: 200,
      headers: rateLimitHeaders(webhook),
      body: {
        application_id: null,
        avatar: null,
        channel_id: webhook.channelId,
        guild_id: webhook.guildId,
        id: webhook.id,
        name: webhook.name,
        type: 1,
        token: webhook.token,
        url: webhook.url,
      },
    };
  };

  const server = await startEmulatorServer({
    name: 'discord-emulator',
    port: options.port,
    host: options.host,
    routes: [
      { name: 'getWebhook', method: 'GET', path: WEBHOOK_PATH, handle: getWebhook },
      { name: 'executeWebhook', method: 'POST', path: WEBHOOK_PATH, handle: execute },
    ],
    errorBody,
    rateLimitHeaders: (resetInSeconds) => ({
      'retry-after': String(Math.ceil(resetInSeconds)),
      'x-ratelimit-limit': String(RATE_LIMIT.limit),
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': (Date.now() / 1000 + resetInSeconds).toFixed(3),
      'x-ratelimit-reset-after': resetInSeconds.toFixed(3),
      'x-ratelimit-bucket': bucketOf('injected'),
      'x-ratelimit-scope': 'user',
    }),
    controls: {
      'POST /_emulator/webhooks': (body) =>
        createWebhook({
          name: body?.name as string | undefined,
          guildId: body?.guildId as string | undefined,
          channelId: body?.channelId as string | undefined,
        }),
      'POST /_emulator/webhooks/delete': (body) => {
        deleted.add(String(body?.id));
        return { deleted: true };
      },
      'GET /_emulator/messages': () => ({
        data: messages.map(({ attachments, ...message }) => ({
          ...message,
          attachments: attachments.map(({ data, ...attachment }) => ({ ...attachment, size: data.length })),
        })),
      }),
    },
    onReset: () => {
      messages.length = 0;
      deleted = new Set();
      windows.clear();
    },
  });

  return { ...server, messages, createWebhook, deleteWebhook: (id) => deleted.add(id) };
}

function messageJson(message: RecordedDiscordMessage, webhook: DiscordWebhookAccount) {
  return {
    type: 0,
    channel_id: message.channelId,
    content: message.content,
    attachments: message.attachments.map((attachment) => {
      const path = `attachments/${message.channelId}/${attachment.id}/${attachment.filename}`;
      return {
        id: attachment.id,
        filename: attachment.filename,
        ...(attachment.description ? { description: attachment.description } : {}),
        size: attachment.data.length,
        url: `https://cdn.discordapp.com/${path}`,
        proxy_url: `https://media.discordapp.net/${path}`,
        content_type: attachment.contentType,
      };
    }),
    embeds: [],
    timestamp: message.receivedAt.toISOString().replace('Z', '000+00:00'),
    edited_timestamp: null,
    flags: 0,
    components: [],
    id: message.id,
    author: {
      id: webhook.id,
      username: webhook.name,
      avatar: null,
      discriminator: '0000',
      bot: true,
      global_name: null,
    },
    mentions: [],
    mention_roles: [],
    pinned: false,
    mention_everyone: message.mentionsEveryone,
    tts: false,
    webhook_id: webhook.id,
  };
}

const bucketOf = (key: string) => createHash('sha1').update(key).digest('hex').slice(0, 32);
