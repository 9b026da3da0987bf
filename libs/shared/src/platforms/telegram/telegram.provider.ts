import { Inject, Injectable } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import { AppConfig } from '../../config/app-config.js';
import { imageFileName } from '../image-file-name.js';
import { DomainError } from '../../errors/domain-error.js';
import { trustedAgents } from '../../net/outbound-agents.js';
import type { MediaFile } from '../content-rules.js';
import { classifyHttpError, createPlatformHttp } from '../http/platform-http.js';
import type {
  AccountIdentity,
  MediaAttachment,
  PlatformProvider,
  PublishedPost,
  PublishFailure,
  PublishRequest,
} from '../platform-provider.js';
import {
  TelegramBotApi,
  type TelegramChat,
  type TelegramChatMember,
  type TelegramMessage,
  type TelegramUser,
} from './telegram-bot-api.js';
import { parseTelegramCredentials, type TelegramCredentials } from './telegram-credentials.js';
import { TELEGRAM_ERRORS } from './telegram-errors.js';
import { TELEGRAM_RULES, telegramMediaProblems } from './telegram-content.rules.js';

/**
 * Posts to a Telegram channel or supergroup as a bot, through the Bot API: text with sendMessage (no
 * parse_mode, so it goes out literally), one image with sendPhoto (a GIF with sendAnimation, so it stays
 * animated), several as an album with sendMediaGroup, the text as the first image's caption.
 */
@Injectable()
export class TelegramProvider implements PlatformProvider<TelegramCredentials> {
  readonly platform = 'telegram' as const;
  /** The Bot API can neither list a channel's messages nor deduplicate a send. */
  readonly capabilities = { findPublished: false, idempotencyKeys: false };
  readonly rules = TELEGRAM_RULES;

  private readonly http: AxiosInstance;

  // @Inject spelled out: tools that strip types without emitting decorator metadata (tsx/esbuild) still wire it.
  constructor(@Inject(AppConfig) config: AppConfig) {
    this.http = createPlatformHttp({
      baseURL: config.platforms.telegram.apiBaseUrl,
      timeoutMs: config.publishing.platformTimeoutMs,
      agents: trustedAgents(),
    });
  }

  parseCredentials(input: unknown): TelegramCredentials {
    return parseTelegramCredentials(input);
  }

  /** The bot's token works, the chat exists, and the bot may post in it. */
  async verifyCredentials(credentials: TelegramCredentials): Promise<AccountIdentity> {
    const api = this.api(credentials);
    const bot = await api.call<TelegramUser>('getMe');
    const chat = await api.call<TelegramChat>('getChat', { chat_id: credentials.chatId });
    if (chat.type !== 'channel' && chat.type !== 'supergroup') {
      // Only channels and supergroups have links to their messages (t.me/…/<id>).
      throw unusableChat(`is a ${chat.type} chat; Herald posts to Telegram channels and supergroups`);
    }
    const member = await api.call<TelegramChatMember>('getChatMember', { chat_id: chat.id, user_id: bot.id });
    if (!mayPost(chat, member)) {
      const name = bot.username ? `@${bot.username}` : bot.first_name;
      const fix = chat.type === 'channel' ? 'an administrator allowed to post messages' : 'a member allowed to write';
      throw unusableChat(`${name} may not post in "${chat.title}": make the bot ${fix}`);
    }
    const title = chat.title ?? String(chat.id);
    return { externalId: String(chat.id), displayName: chat.username ? `${title} (@${chat.username})` : title };
  }

  extraMediaProblems(files: readonly (MediaFile | undefined)[]): string[] {
    return telegramMediaProblems(files);
  }

  /** Telegram has no threads (`maxThreadLength` 1), so `replyTo` never comes. */
  async publish(credentials: TelegramCredentials, post: PublishRequest): Promise<PublishedPost> {
    const message = await this.send(this.api(credentials), credentials.chatId, post);
    if (typeof message?.message_id !== 'number' || typeof message.chat?.id !== 'number') {
      throw new Error('Telegram accepted the message but returned no message id');
    }
    return { platformPostId: `${message.chat.id}:${message.message_id}`, url: messageUrl(message) };
  }

  findPublished(): Promise<PublishedPost | null> {
    return Promise.resolve(null);
  }

  classifyError(error: unknown): PublishFailure {
    if (error instanceof DomainError) return { kind: 'permanent', message: error.message, credentialsRejected: true };
    return classifyHttpError(error, TELEGRAM_ERRORS);
  }

  private api(credentials: TelegramCredentials): TelegramBotApi {
    return new TelegramBotApi(this.http, credentials.botToken);
  }

  private async send(api: TelegramBotApi, chatId: string, { text, media }: PublishRequest): Promise<TelegramMessage> {
    const caption = text.trim() === '' ? undefined : text;
    if (media.length === 0) return api.call<TelegramMessage>('sendMessage', { chat_id: chatId, text });

    const form = new FormData();
    form.append('chat_id', chatId);
    if (media.length === 1) {
      const [image] = media;
      const field = image.mimeType === 'image/gif' ? 'animation' : 'photo';
      if (caption) form.append('caption', caption);
      form.append(field, await fileOf(image), fileName(image, 0));
      return api.call<TelegramMessage>(field === 'photo' ? 'sendPhoto' : 'sendAnimation', form);
    }

    const album = media.map((image, index) => ({
      type: 'photo',
      media: `attach://photo${index}`,
      // One caption, on the first photo: Telegram shows it under the whole album.
      ...(index === 0 && caption ? { caption } : {}),
    }));
    form.append('media', JSON.stringify(album));
    for (const [index, image] of media.entries()) {
      form.append(`photo${index}`, await fileOf(image), fileName(image, index));
    }
    const messages = await api.call<TelegramMessage[]>('sendMediaGroup', form);
    return messages[0];
  }
}

function mayPost(chat: TelegramChat, member: TelegramChatMember): boolean {
  switch (member.status) {
    case 'creator':
      return true;
    case 'administrator':
      return chat.type !== 'channel' || member.can_post_messages === true;
    case 'member':
      return chat.type !== 'channel' && chat.permissions?.can_send_messages !== false;
    case 'restricted':
      return member.is_member === true && member.can_send_messages === true;
    case 'left':
    case 'kicked':
      return false;
  }
}

const unusableChat = (message: string) => DomainError.validation([{ field: 'credentials.chatId', message }]);

/** A public chat's messages are at t.me/<username>/<id>; a private one's at t.me/c/<id without -100>/<id>. */
function messageUrl({ chat, message_id: id }: TelegramMessage): string {
  if (chat.username) return `https://t.me/${chat.username}/${id}`;
  const chatId = String(chat.id);
  if (chatId.startsWith('-100')) return `https://t.me/c/${chatId.slice(4)}/${id}`;
  // Basic groups have no message links (verifyCredentials refuses them); the app's deep link still opens it.
  return `tg://openmessage?chat_id=${chatId}&message_id=${id}`;
}

async function fileOf(image: MediaAttachment): Promise<Blob> {
  return new Blob([await image.read()], { type: image.mimeType });
}

const fileName = (image: MediaAttachment, index: number) => imageFileName(image.mimeType, `image-${index + 1}`);
