import { randomBytes } from 'node:crypto';
import {
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorServer,
  startEmulatorServer,
  type UploadedFile,
} from '../kit/emulator-server.js';
import {
  badRequest,
  errorBody,
  forbidden,
  MAX_CAPTION_LENGTH,
  MAX_PHOTO_BYTES,
  MAX_TEXT_LENGTH,
  MAX_UPLOAD_BYTES,
  MEDIA_GROUP_SIZE,
  sniff,
  telegramLength,
  unauthorized,
} from './telegram-wire.js';

/**
 * A stand-in for the parts of the Telegram Bot API that Herald calls (`POST /bot<token>/<method>`):
 * getMe, getChat, getChatMember, sendMessage, sendPhoto, sendAnimation and sendMediaGroup, with JSON,
 * form and multipart bodies (files by part or `attach://<name>`), Telegram's error descriptions and
 * its 429 answer (`parameters.retry_after` and a Retry-After header).
 * Bots and chats exist once created (`createBot`, `createChat`); posting needs the rights Telegram
 * asks for (an administrator allowed to post in a channel, a member allowed to write in a group).
 * The publish route (every send* method) is named `send` for faults and the request log.
 */

export interface TelegramBotAccount {
  id: number;
  token: string;
  username: string;
  firstName: string;
}

export type TelegramChatType = 'channel' | 'supergroup' | 'group';

export interface TelegramEmulatedChat {
  id: number;
  type: TelegramChatType;
  title: string;
  /** Public chats have one; t.me links then use it. */
  username?: string;
}

/** Where a bot stands in a chat; `canPost` is `can_post_messages` (channels) or `can_send_messages`. */
export type BotStatus = 'administrator' | 'member' | 'left' | 'kicked';

export interface RecordedMedia {
  kind: 'photo' | 'animation';
  /** Sniffed from the bytes. */
  mimeType: string;
  filename: string;
  data: Buffer;
}

export interface RecordedMessage {
  chatId: number;
  messageId: number;
  botId: number;
  /** sendMessage's text, trimmed as Telegram stores it. */
  text?: string;
  caption?: string;
  media?: RecordedMedia;
  /** Shared by the messages of one album. */
  mediaGroupId?: string;
  /** What the bot asked for; Herald sends none so that text goes out literally. */
  parseMode?: string;
  receivedAt: Date;
}

export interface TelegramEmulator extends EmulatorServer {
  readonly messages: RecordedMessage[];
  createBot(): TelegramBotAccount;
  /** A chat; `admins` (bot tokens) become administrators allowed to post. Channels by default. */
  createChat(options?: {
    type?: TelegramChatType;
    title?: string;
    username?: string;
    admins?: string[];
  }): TelegramEmulatedChat;
  setBotStatus(chatId: number, token: string, status: BotStatus, canPost?: boolean): void;
  /** Later calls with the token answer 401 Unauthorized, as after /revoke in BotFather. */
  revokeToken(token: string): void;
}

interface Membership {
  status: BotStatus;
  canPost: boolean;
}

type Args = Record<string, unknown>;

const SEND_METHODS = ['sendMessage', 'sendPhoto', 'sendAnimation', 'sendMediaGroup'];

export async function startTelegramEmulator(options: { port?: number; host?: string } = {}): Promise<TelegramEmulator> {
  const messages: RecordedMessage[] = [];
  const bots = new Map<string, TelegramBotAccount>();
  const chats = new Map<number, TelegramEmulatedChat>();
  const memberships = new Map<string, Membership>();
  const lastMessageId = new Map<number, number>();
  let revoked = new Set<string>();
  let nextBotId = 7_100_000_000;
  let nextChatId = 1_987_000_000;
  let nextMediaGroupId = 13_900_000_000_000_000n;

  const membershipKey = (chatId: number, botId: number) => `${chatId}/${botId}`;
  const membershipOf = (chat: TelegramEmulatedChat, bot: TelegramBotAccount) =>
    memberships.get(membershipKey(chat.id, bot.id));

  const createBot = (): TelegramBotAccount => {
    const id = (nextBotId += 1);
    const bot = {
      id,
      token: `${id}:AA${randomBytes(33).toString('base64url').slice(0, 33)}`,
      username: `herald_test_${id}_bot`,
      firstName: `Herald test bot ${id}`,
    };
    bots.set(bot.token, bot);
    return bot;
  };

  const botFor = (token: string): TelegramBotAccount => {
    const bot = bots.get(token);
    if (!bot) throw new Error(`No emulated bot has the token ${token}`);
    return bot;
  };

  const setBotStatus = (chatId: number, token: string, status: BotStatus, canPost = true) => {
    if (!chats.has(chatId)) throw new Error(`No emulated chat ${chatId}`);
    memberships.set(membershipKey(chatId, botFor(token).id), { status, canPost });
  };

  const createChat: TelegramEmulator['createChat'] = (chatOptions = {}) => {
    const type = chatOptions.type ?? 'channel';
    const sequence = (nextChatId += 1);
    // Channels and supergroups have ids -100<n>; basic groups plain negative ids.
    const id = type === 'group' ? -sequence : Number(`-100${sequence}`);
    const chat: TelegramEmulatedChat = {
      id,
      type,
      title: chatOptions.title ?? `Herald test ${type} ${sequence}`,
      ...(chatOptions.username ? { username: chatOptions.username } : {}),
    };
    chats.set(id, chat);
    for (const token of chatOptions.admins ?? []) setBotStatus(id, token, 'administrator');
    return chat;
  };

  const authenticate = (token: string): TelegramBotAccount => {
    const bot = bots.get(token);
    if (!bot || revoked.has(token)) throw unauthorized();
    return bot;
  };

  const chatLabel = (chat: TelegramEmulatedChat) => (chat.type === 'group' ? 'group chat' : `${chat.type} chat`);

  /** The chat `chat_id` names, as the bot can see it: private chats are invisible to non-members. */
  const chatFor = (bot: TelegramBotAccount, chatId: unknown): TelegramEmulatedChat => {
    const key = scalar(chatId);
    if (key === undefined || key === '') throw badRequest('chat_id is empty');
    const chat = key.startsWith('@')
      ? [...chats.values()].find((candidate) => candidate.username?.toLowerCase() === key.slice(1).toLowerCase())
      : /^-?\d+$/.test(key)
        ? chats.get(Number(key))
        : undefined;
    const membership = chat && membershipOf(chat, bot);
    if (!chat || (!chat.username && (!membership || membership.status === 'left'))) {
      throw badRequest('chat not found');
    }
    if (membership?.status === 'kicked') throw forbidden(`bot was kicked from the ${chatLabel(chat)}`);
    return chat;
  };

  const requirePostingRights = (bot: TelegramBotAccount, chat: TelegramEmulatedChat) => {
    const membership = membershipOf(chat, bot);
    if (!membership || membership.status === 'left') throw forbidden(`bot is not a member of the ${chatLabel(chat)}`);
    if (chat.type === 'channel' && (membership.status !== 'administrator' || !membership.canPost)) {
      throw badRequest('need administrator rights in the channel chat');
    }
    if (!membership.canPost) throw badRequest('not enough rights to send text messages to the chat');
  };

  const argsOf = (request: EmulatorRequest): Args => ({
    ...Object.fromEntries(request.url.searchParams),
    ...request.body,
  });

  const optionalString = (args: Args, name: string): string | undefined => {
    const value = args[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw badRequest(`field "${name}" must be of type String`);
    return value;
  };

  const captionOf = (value: string | undefined): string | undefined => {
    if (value === undefined || value.trim() === '') return undefined;
    if (telegramLength(value) > MAX_CAPTION_LENGTH) throw badRequest('message caption is too long');
    return value.trim();
  };

  /** A file given as a part named `field`, or as `attach://<part>` in the field. */
  const fileFor = (request: EmulatorRequest, args: Args, field: string): UploadedFile | undefined => {
    const value = args[field];
    if (typeof value === 'string' && value.startsWith('attach://')) {
      return request.files.find((file) => file.field === value.slice('attach://'.length));
    }
    if (value !== undefined) throw badRequest('wrong file identifier/HTTP URL specified');
    return request.files.find((file) => file.field === field);
  };

  const photoOf = (file: UploadedFile | undefined): RecordedMedia => {
    if (!file) throw badRequest('there is no photo in the request');
    if (file.data.length === 0) throw badRequest('file must be non-empty');
    const type = sniff(file.data);
    if (!type || type === 'video/mp4') throw badRequest('IMAGE_PROCESS_FAILED');
    if (file.data.length > MAX_PHOTO_BYTES) throw badRequest('PHOTO_SAVE_FILE_INVALID');
    return { kind: 'photo', mimeType: type, filename: file.filename, data: file.data };
  };

  const animationOf = (file: UploadedFile | undefined): RecordedMedia => {
    if (!file) throw badRequest('there is no animation in the request');
    const type = sniff(file.data);
    if (type !== 'image/gif' && type !== 'video/mp4') throw badRequest('wrong type of the animation');
    return { kind: 'animation', mimeType: type, filename: file.filename, data: file.data };
  };

  const record = (
    bot: TelegramBotAccount,
    chat: TelegramEmulatedChat,
    fields: Omit<RecordedMessage, 'chatId' | 'messageId' | 'botId' | 'receivedAt'>,
  ) => {
    const messageId = (lastMessageId.get(chat.id) ?? 40) + 1;
    lastMessageId.set(chat.id, messageId);
    const message: RecordedMessage = { chatId: chat.id, messageId, botId: bot.id, receivedAt: new Date(), ...fields };
    messages.push(message);
    return message;
  };

  const chatJson = (chat: TelegramEmulatedChat) => ({
    id: chat.id,
    title: chat.title,
    ...(chat.username ? { username: chat.username } : {}),
    type: chat.type,
  });

  const userJson = (bot: TelegramBotAccount) => ({
    id: bot.id,
    is_bot: true,
    first_name: bot.firstName,
    username: bot.username,
  });

  const fileJson = (media: RecordedMedia, index = 0) => ({
    file_id: `AgACAgQAAxkDAAI${randomBytes(24).toString('base64url')}`,
    file_unique_id: `AQAD${randomBytes(8).toString('base64url')}${index}`,
    file_size: media.data.length,
  });

  const messageJson = (message: RecordedMessage) => {
    const chat = chats.get(message.chatId)!;
    const bot = [...bots.values()].find((candidate) => candidate.id === message.botId)!;
    const media = message.media;
    return {
      message_id: message.messageId,
      ...(chat.type === 'channel' ? { sender_chat: chatJson(chat) } : { from: userJson(bot) }),
      chat: chatJson(chat),
      date: Math.floor(message.receivedAt.getTime() / 1000),
      ...(message.mediaGroupId ? { media_group_id: message.mediaGroupId } : {}),
      ...(message.text !== undefined ? { text: message.text } : {}),
      ...(media?.kind === 'photo'
        ? { photo: [{ ...fileJson(media), width: 1280, height: 720 }] }
        : media?.kind === 'animation'
          ? {
              animation: { ...fileJson(media), width: 480, height: 270, duration: 2, mime_type: media.mimeType },
              document: { ...fileJson(media), mime_type: media.mimeType, file_name: media.filename },
            }
          : {}),
      ...(message.caption !== undefined ? { caption: message.caption } : {}),
    };
  };

  const ok = (result: unknown): EmulatorResponse => ({ status: 200, body: { ok: true, result } });

  const getMe = (request: EmulatorRequest): EmulatorResponse =>
    ok({
      ...userJson(authenticate(request.params.token)),
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    });

  const sendMessage = (bot: TelegramBotAccount, chat: TelegramEmulatedChat, args: Args) => {
    const text = scalar(args.text) ?? '';
    if (text.trim() === '') throw badRequest('message text is empty');
    if (telegramLength(text) > MAX_TEXT_LENGTH) throw badRequest('message is too long');
    return messageJson(record(bot, chat, { text: text.trim(), parseMode: optionalString(args, 'parse_mode') }));
  };

  const sendFile = (
    request: EmulatorRequest,
    bot: TelegramBotAccount,
    chat: TelegramEmulatedChat,
    args: Args,
    kind: RecordedMedia['kind'],
  ) => {
    const file = fileFor(request, args, kind);
    const media = kind === 'photo' ? photoOf(file) : animationOf(file);
    const caption = captionOf(optionalString(args, 'caption'));
    return messageJson(record(bot, chat, { media, caption, parseMode: optionalString(args, 'parse_mode') }));
  };

  const sendMediaGroup = (
    request: EmulatorRequest,
    bot: TelegramBotAccount,
    chat: TelegramEmulatedChat,
    args: Args,
  ) => {
    let items: unknown;
    try {
      items = typeof args.media === 'string' ? JSON.parse(args.media) : args.media;
    } catch {
      throw badRequest("can't parse media JSON object");
    }
    if (!Array.isArray(items)) throw badRequest('parameter "media" is required');
    if (items.length < MEDIA_GROUP_SIZE.min || items.length > MEDIA_GROUP_SIZE.max) {
      throw badRequest('media must include 2-10 items');
    }
    const album = items.map((item: unknown) => {
      const input = (item ?? {}) as Args;
      if (input.type !== 'photo') throw badRequest(`unsupported media type "${String(input.type)}" in a media group`);
      const file = fileFor(request, { photo: input.media }, 'photo');
      if (!file) throw badRequest('wrong file identifier/HTTP URL specified');
      return { media: photoOf(file), caption: captionOf(optionalString(input, 'caption')) };
    });
    const mediaGroupId = String((nextMediaGroupId += 1n));
    return album.map((entry) => messageJson(record(bot, chat, { ...entry, mediaGroupId })));
  };

  const send = (request: EmulatorRequest): EmulatorResponse => {
    const bot = authenticate(request.params.token);
    const args = argsOf(request);
    const chat = chatFor(bot, args.chat_id);
    requirePostingRights(bot, chat);
    switch (request.params.method.toLowerCase()) {
      case 'sendmessage':
        return ok(sendMessage(bot, chat, args));
      case 'sendphoto':
        return ok(sendFile(request, bot, chat, args, 'photo'));
      case 'sendanimation':
        return ok(sendFile(request, bot, chat, args, 'animation'));
      default:
        return ok(sendMediaGroup(request, bot, chat, args));
    }
  };

  const getChat = (request: EmulatorRequest): EmulatorResponse => {
    const bot = authenticate(request.params.token);
    const chat = chatFor(bot, argsOf(request).chat_id);
    const permissions =
      chat.type === 'channel' ? {} : { permissions: { can_send_messages: true, can_send_photos: true } };
    return ok({ ...chatJson(chat), accent_color_id: 0, max_reaction_count: 11, ...permissions });
  };

  const getChatMember = (request: EmulatorRequest): EmulatorResponse => {
    const bot = authenticate(request.params.token);
    const args = argsOf(request);
    const chat = chatFor(bot, args.chat_id);
    const userId = scalar(args.user_id);
    if (userId === undefined || !/^\d+$/.test(userId)) throw badRequest('invalid user_id specified');
    if (Number(userId) !== bot.id) {
      return ok({ status: 'left', user: { id: Number(userId), is_bot: false, first_name: 'Someone' } });
    }
    const membership = membershipOf(chat, bot) ?? { status: 'left', canPost: false };
    const user = userJson(bot);
    if (membership.status === 'administrator') {
      const rights =
        chat.type === 'channel'
          ? { can_post_messages: membership.canPost, can_edit_messages: false }
          : { can_pin_messages: false };
      return ok({ status: 'administrator', user, can_be_edited: false, is_anonymous: false, ...rights });
    }
    if (membership.status === 'member' && !membership.canPost) {
      return ok({ status: 'restricted', user, is_member: true, can_send_messages: false, until_date: 0 });
    }
    return ok({ status: membership.status, user, ...(membership.status === 'kicked' ? { until_date: 0 } : {}) });
  };

  const route = (name: string, methods: string[], handle: (request: EmulatorRequest) => EmulatorResponse) =>
    ['GET', 'POST'].map((httpMethod) => ({
      name,
      method: httpMethod,
      // Telegram reads method names case-insensitively.
      path: new RegExp(`^/bot(?<token>[^/]+)/(?<method>${methods.join('|')})$`, 'i'),
      handle,
    }));

  const server = await startEmulatorServer({
    name: 'telegram-emulator',
    port: options.port,
    host: options.host,
    maxBodyBytes: MAX_UPLOAD_BYTES,
    routes: [
      ...route('getMe', ['getMe'], getMe),
      ...route('getChat', ['getChat'], getChat),
      ...route('getChatMember', ['getChatMember'], getChatMember),
      ...route('send', SEND_METHODS, send),
    ],
    errorBody: (status) => errorBody(status),
    rateLimitHeaders: (resetInSeconds) => ({ 'retry-after': String(resetInSeconds) }),
    controls: {
      'POST /_emulator/bots': () => createBot(),
      'POST /_emulator/chats': (body) =>
        createChat({
          type: body?.type as TelegramChatType | undefined,
          title: body?.title as string | undefined,
          username: body?.username as string | undefined,
          admins: body?.admins as string[] | undefined,
        }),
      'POST /_emulator/revoke': (body) => {
        revoked.add(String(body?.token));
        return { revoked: true };
      },
      'GET /_emulator/messages': () => ({
        data: messages.map(({ media, ...message }) => ({
          ...message,
          ...(media ? { media: { kind: media.kind, mimeType: media.mimeType, sizeBytes: media.data.length } } : {}),
        })),
      }),
    },
    onReset: () => {
      messages.length = 0;
      revoked = new Set();
    },
  });

  return {
    ...server,
    messages,
    createBot,
    createChat,
    setBotStatus,
    revokeToken: (token) => revoked.add(token),
  };
}

/** A parameter as Telegram reads it: JSON numbers and booleans count as their text. */
function scalar(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
}
