import { Inject, Injectable } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import { AppConfig } from '../../config/app-config.js';
import { imageFileName } from '../image-file-name.js';
import { DomainError } from '../../errors/domain-error.js';
import { trustedAgents } from '../../net/outbound-agents.js';
import { classifyHttpError, createPlatformHttp } from '../http/platform-http.js';
import type {
  AccountIdentity,
  MediaAttachment,
  PlatformProvider,
  PublishedPost,
  PublishFailure,
  PublishRequest,
} from '../platform-provider.js';
import { DISCORD_RULES } from './discord-content.rules.js';
import { DISCORD_ERRORS } from './discord-errors.js';
import {
  type DiscordCredentials,
  type DiscordWebhook,
  parseDiscordCredentials,
  webhookOfCredentials,
} from './discord-webhook.js';

/** What Get Webhook with Token answers (the parts Herald reads). */
interface DiscordWebhookObject {
  id: string;
  name: string | null;
  guild_id?: string | null;
  channel_id: string | null;
}

/** What Execute Webhook answers with `?wait=true` (the parts Herald reads). */
interface DiscordMessage {
  id: string;
  channel_id: string;
}

/**
 * Posts to a Discord channel through its webhook. Every call goes to DISCORD_API_BASE_URL, never to the
 * host of the URL the user gave (which is only checked to be Discord's), so a webhook URL cannot make the
 * worker call anything else. Mentions in the text do not ping anyone (`allowed_mentions.parse: []`): a
 * post written days ahead must not notify @everyone by surprise.
 */
@Injectable()
export class DiscordProvider implements PlatformProvider<DiscordCredentials> {
  readonly platform = 'discord' as const;
  /** A webhook can fetch a message by id but not list the channel's, and Discord has no idempotency keys. */
  readonly capabilities = { findPublished: false, idempotencyKeys: false };
  readonly rules = DISCORD_RULES;

  private readonly http: AxiosInstance;
  /** A webhook's server, for message links (the message Discord returns lacks it); it never changes. */
  private readonly guildOfWebhook = new Map<string, string>();

  // @Inject spelled out: tools that strip types without emitting decorator metadata (tsx/esbuild) still wire it.
  constructor(@Inject(AppConfig) config: AppConfig) {
    this.http = createPlatformHttp({
      baseURL: config.platforms.discord.apiBaseUrl,
      timeoutMs: config.publishing.platformTimeoutMs,
      agents: trustedAgents(),
    });
  }

  parseCredentials(input: unknown): DiscordCredentials {
    return parseDiscordCredentials(input);
  }

  async verifyCredentials(credentials: DiscordCredentials): Promise<AccountIdentity> {
    const webhook = await this.fetchWebhook(webhookOfCredentials(credentials));
    return { externalId: webhook.id, displayName: webhook.name ?? `Webhook ${webhook.id}` };
  }

  /** Discord has no threads for Herald (`maxThreadLength` 1), so `replyTo` never comes. */
  async publish(credentials: DiscordCredentials, post: PublishRequest): Promise<PublishedPost> {
    const webhook = webhookOfCredentials(credentials);
    // Asked before posting: once the message is out, a failed lookup must not make the worker post again.
    const guildId = this.guildOfWebhook.get(webhook.id) ?? (await this.fetchWebhook(webhook)).guild_id ?? '@me';
    const { data: message } = await this.http.post<DiscordMessage>(pathOf(webhook), await bodyOf(post), {
      params: { wait: true },
    });
    if (typeof message?.id !== 'string' || typeof message.channel_id !== 'string') {
      throw new Error('Discord accepted the message but returned no message id');
    }
    return {
      platformPostId: message.id,
      url: `https://discord.com/channels/${guildId}/${message.channel_id}/${message.id}`,
    };
  }

  findPublished(): Promise<PublishedPost | null> {
    return Promise.resolve(null);
  }

  classifyError(error: unknown): PublishFailure {
    if (error instanceof DomainError) return { kind: 'permanent', message: error.message, credentialsRejected: true };
    return classifyHttpError(error, DISCORD_ERRORS);
  }

  private async fetchWebhook(webhook: DiscordWebhook): Promise<DiscordWebhookObject> {
    const { data } = await this.http.get<DiscordWebhookObject>(pathOf(webhook));
    if (typeof data?.guild_id === 'string') this.guildOfWebhook.set(webhook.id, data.guild_id);
    return data;
  }
}

const pathOf = (webhook: DiscordWebhook) => `/api/v10/webhooks/${webhook.id}/${webhook.token}`;

/** JSON for text alone; with images, multipart: `payload_json` plus one `files[n]` part per image. */
async function bodyOf({ text, media }: PublishRequest): Promise<object> {
  const payload = { ...(text.trim() === '' ? {} : { content: text }), allowed_mentions: { parse: [] } };
  if (media.length === 0) return payload;

  const form = new FormData();
  const attachments = media.map((image, index) => ({
    id: index,
    filename: fileName(image, index),
    ...(image.altText ? { description: image.altText } : {}),
  }));
  form.append('payload_json', JSON.stringify({ ...payload, attachments }));
  for (const [index, image] of media.entries()) {
    form.append(
      `files[${index}]`,
      new Blob([await image.read()], { type: image.mimeType }),
      attachments[index].filename,
    );
  }
  return form;
}

const fileName = (image: MediaAttachment, index: number) => imageFileName(image.mimeType, `image-${index + 1}`);
