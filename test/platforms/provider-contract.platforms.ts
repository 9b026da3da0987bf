import { startBlueskyEmulator } from '../../emulators/bluesky/bluesky-emulator.js';
import { startDiscordEmulator } from '../../emulators/discord/discord-emulator.js';
import type { EmulatorFault } from '../../emulators/kit/emulator-server.js';
import { startLinkedInEmulator } from '../../emulators/linkedin/linkedin-emulator.js';
import { startMastodonEmulator } from '../../emulators/mastodon/mastodon-emulator.js';
import { startMediaServer } from '../../emulators/meta-graph/media-server.js';
import { startMetaGraphEmulator } from '../../emulators/meta-graph/meta-graph-emulator.js';
import { startTelegramEmulator } from '../../emulators/telegram/telegram-emulator.js';
import { startThreadsEmulator } from '../../emulators/threads/threads-emulator.js';
import { startXEmulator } from '../../emulators/x/x-emulator.js';

import {
  AppConfig,
  loadEnvironment,
  PLATFORMS,
  type PlatformName,
  type PlatformProvider,
  type PublishRequest,
} from '@app/shared';

/**
 * Every platform for the provider contract (provider-contract.spec.ts): how to start its emulator, build its
 * provider the way its own spec does, make an account ready to publish, and aim a fault at the call that
 * makes a post appear.
 */

export const TIMEOUT_MS = 2000;
/** The kit's 429s reset in 60 s unless told otherwise. */
const RESET_MS = 60_000;

function configFor(env: Record<string, string>): AppConfig {
  return new AppConfig(
    loadEnvironment({
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      ADMIN_TOKEN: 'x'.repeat(20),
      PLATFORM_TIMEOUT_MS: String(TIMEOUT_MS),
      PUBLISH_LEASE_SECONDS: '10',
      ...env,
    }),
  );
}

export type AnyProvider = PlatformProvider<any>;

/** The platform's provider, built from its definition in the registry, as PlatformsModule builds it. */
function providerFor(name: PlatformName, config: AppConfig): AnyProvider {
  const definition = PLATFORMS.find((platform) => platform.name === name)!;
  return new (definition.provider as new (config: AppConfig) => AnyProvider)(config);
}

/** An account on the emulator, ready to publish; `secret` must never show in a failure's message. */
export interface Account {
  credentials: unknown;
  secret: string;
}

/** A fault as every emulator takes it; the harness aims it at the right route. */
type Fault = Omit<EmulatorFault, 'route'>;

/** One platform's emulator, running, and a provider pointed at it. */
export interface Harness {
  provider: AnyProvider;
  newAccount(): Promise<Account>;
  /** A simple post (text, and the image where the platform requires one). */
  post(): PublishRequest;
  /** Queues a fault for the call that makes the post appear. */
  failPublish(fault: Fault): void;
  /** Queues a fault for whatever is called next. */
  failAny(fault: Fault): void;
  landed(): number;
  reset(): void;
  /** A provider and credentials that send `account`'s requests to `url`, where nothing listens. */
  elsewhere(url: string, account: Account): { provider: AnyProvider; credentials: unknown };
  close(): Promise<void>;
}

export interface ContractPlatform {
  /** The platform's name as the provider writes it in messages. */
  label: string;
  /** How far off the platform says a 429 lifts, from its headers or body; undefined when it does not say. */
  rateLimitResetMs: number | undefined;
  start: () => Promise<Harness>;
}

const textPost = (text: string): PublishRequest => ({ text, media: [], idempotencyKey: 'target-1' });
let posts = 0;
/** Text no earlier test used, so platforms that refuse duplicates never do here. */
const freshText = () => `Contract post ${(posts += 1)}`;

export const CONTRACT_PLATFORMS: ContractPlatform[] = [
  {
    label: 'X',
    rateLimitResetMs: RESET_MS,
    async start() {
      const emulator = await startXEmulator();
      const provider = providerFor('x', configFor({ X_API_BASE_URL: emulator.url }));
      return {
        provider,
        newAccount: () => {
          const { accessToken } = emulator.mintTokens();
          return Promise.resolve({ credentials: { accessToken }, secret: accessToken });
        },
        post: () => textPost(freshText()),
        failPublish: (fault) => emulator.failNext({ ...fault, endpoint: 'createTweet' }),
        failAny: (fault) => emulator.failNext(fault),
        landed: () => emulator.tweets.length,
        reset: () => emulator.reset(),
        elsewhere: (url, account) => ({
          provider: providerFor('x', configFor({ X_API_BASE_URL: url })),
          credentials: account.credentials,
        }),
        close: () => emulator.close(),
      };
    },
  },
  {
    label: 'Mastodon',
    rateLimitResetMs: RESET_MS,
    async start() {
      const emulator = await startMastodonEmulator();
      const provider = providerFor('mastodon', configFor({ PRIVATE_NETWORK_ALLOWLIST: '127.0.0.1' }));
      return {
        provider,
        newAccount: () => {
          const { token } = emulator.createAccount();
          return Promise.resolve({ credentials: { instanceUrl: emulator.url, accessToken: token }, secret: token });
        },
        post: () => textPost(freshText()),
        failPublish: (fault) => emulator.failNext({ ...fault, route: 'createStatus' }),
        failAny: (fault) => emulator.failNext(fault),
        landed: () => emulator.statuses.length,
        reset: () => emulator.reset(),
        // The instance is part of the credentials, not of the configuration.
        elsewhere: (url, account) => ({
          provider,
          credentials: { ...(account.credentials as object), instanceUrl: url },
        }),
        close: () => emulator.close(),
      };
    },
  },
  {
    label: 'Bluesky',
    rateLimitResetMs: RESET_MS,
    async start() {
      const emulator = await startBlueskyEmulator();
      const provider = providerFor('bluesky', configFor({ BLUESKY_SERVICE_URL: emulator.url }));
      return {
        provider,
        newAccount: async () => {
          const { handle, appPassword } = emulator.createAccount();
          // As the scheduler stores them: signed in, with a session.
          const credentials = await provider.renewal!.renew(
            provider.parseCredentials({ identifier: handle, appPassword }),
          );
          return { credentials, secret: appPassword };
        },
        post: () => textPost(freshText()),
        failPublish: (fault) => emulator.failNext({ ...fault, route: 'createRecord' }),
        failAny: (fault) => emulator.failNext(fault),
        landed: () => emulator.posts.length,
        reset: () => emulator.reset(),
        elsewhere: (url, account) => ({
          provider: providerFor('bluesky', configFor({ BLUESKY_SERVICE_URL: url })),
          credentials: account.credentials,
        }),
        close: () => emulator.close(),
      };
    },
  },
  {
    label: 'LinkedIn',
    rateLimitResetMs: undefined,
    async start() {
      const emulator = await startLinkedInEmulator();
      const linkedInConfig = (url: string) => configFor({ LINKEDIN_API_BASE_URL: url, LINKEDIN_OAUTH_BASE_URL: url });
      const provider = providerFor('linkedin', linkedInConfig(emulator.url));
      return {
        provider,
        newAccount: () => {
          const accessToken = `member-token-${(posts += 1)}`;
          return Promise.resolve({ credentials: { accessToken }, secret: accessToken });
        },
        post: () => textPost(freshText()),
        failPublish: (fault) => emulator.failNext({ ...fault, route: 'createPost' }),
        failAny: (fault) => emulator.failNext(fault),
        landed: () => emulator.posts.length,
        reset: () => emulator.reset(),
        elsewhere: (url, account) => ({
          provider: providerFor('linkedin', linkedInConfig(url)),
          credentials: account.credentials,
        }),
        close: () => emulator.close(),
      };
    },
  },
  {
    label: 'Facebook',
    rateLimitResetMs: RESET_MS,
    async start() {
      const emulator = await startMetaGraphEmulator();
      const provider = providerFor('facebook', configFor({ FACEBOOK_API_BASE_URL: emulator.url }));
      return {
        provider,
        newAccount: () => {
          const { pageId, accessToken } = emulator.createPage();
          return Promise.resolve({ credentials: { pageId, accessToken }, secret: accessToken });
        },
        post: () => textPost(freshText()),
        failPublish: (fault) => emulator.failNext({ ...fault, route: 'pagePost' }),
        failAny: (fault) => emulator.failNext(fault),
        landed: () => emulator.facebookPosts.length,
        reset: () => emulator.reset(),
        elsewhere: (url, account) => ({
          provider: providerFor('facebook', configFor({ FACEBOOK_API_BASE_URL: url })),
          credentials: account.credentials,
        }),
        close: () => emulator.close(),
      };
    },
  },
  {
    label: 'Instagram',
    rateLimitResetMs: RESET_MS,
    async start() {
      const emulator = await startMetaGraphEmulator();
      const media = await startMediaServer();
      const provider = providerFor('instagram', configFor({ INSTAGRAM_API_BASE_URL: emulator.url }));
      return {
        provider,
        newAccount: () => {
          const { instagramUserId, accessToken } = emulator.createPage({ instagramUsername: `ig_${(posts += 1)}` });
          return Promise.resolve({ credentials: { instagramUserId, accessToken }, secret: accessToken });
        },
        // Instagram posts need an image; media_publish is the call that makes the post appear.
        post: () => ({ ...textPost(freshText()), media: [media.image()] }),
        failPublish: (fault) => emulator.failNext({ ...fault, route: 'igPublish' }),
        failAny: (fault) => emulator.failNext(fault),
        landed: () => emulator.instagramMedia.length,
        reset: () => emulator.reset(),
        elsewhere: (url, account) => ({
          provider: providerFor('instagram', configFor({ INSTAGRAM_API_BASE_URL: url })),
          credentials: account.credentials,
        }),
        close: async () => {
          await emulator.close();
          await media.close();
        },
      };
    },
  },
  {
    label: 'Threads',
    rateLimitResetMs: undefined,
    async start() {
      const emulator = await startThreadsEmulator();
      const provider = providerFor('threads', configFor({ THREADS_API_BASE_URL: emulator.url }));
      return {
        provider,
        newAccount: () => {
          const { user, token } = emulator.createAccount();
          const credentials = { userId: user.id, accessToken: token.value, expiresAt: token.expiresAt.toISOString() };
          return Promise.resolve({ credentials, secret: token.value });
        },
        post: () => textPost(freshText()),
        // threads_publish makes the post appear; a failure before it is retryable (see the Threads spec).
        failPublish: (fault) => emulator.failNext({ ...fault, route: 'publish' }),
        failAny: (fault) => emulator.failNext(fault),
        landed: () => emulator.posts.length,
        reset: () => emulator.reset(),
        elsewhere: (url, account) => ({
          provider: providerFor('threads', configFor({ THREADS_API_BASE_URL: url })),
          credentials: account.credentials,
        }),
        close: () => emulator.close(),
      };
    },
  },
  {
    label: 'Telegram',
    rateLimitResetMs: RESET_MS,
    async start() {
      const emulator = await startTelegramEmulator();
      const provider = providerFor('telegram', configFor({ TELEGRAM_API_BASE_URL: emulator.url }));
      return {
        provider,
        newAccount: () => {
          const bot = emulator.createBot();
          const channel = emulator.createChat({ title: 'Release notes', admins: [bot.token] });
          return Promise.resolve({
            credentials: { botToken: bot.token, chatId: String(channel.id) },
            secret: bot.token.split(':')[1],
          });
        },
        post: () => textPost(freshText()),
        failPublish: (fault) => emulator.failNext({ ...fault, route: 'send' }),
        failAny: (fault) => emulator.failNext(fault),
        landed: () => emulator.messages.length,
        reset: () => emulator.reset(),
        elsewhere: (url, account) => ({
          provider: providerFor('telegram', configFor({ TELEGRAM_API_BASE_URL: url })),
          credentials: account.credentials,
        }),
        close: () => emulator.close(),
      };
    },
  },
  {
    label: 'Discord',
    rateLimitResetMs: RESET_MS,
    async start() {
      const emulator = await startDiscordEmulator();
      const provider = providerFor('discord', configFor({ DISCORD_API_BASE_URL: emulator.url }));
      return {
        provider,
        newAccount: async () => {
          const webhook = emulator.createWebhook({ name: 'Release bot' });
          const credentials = provider.parseCredentials({ webhookUrl: webhook.url });
          await provider.verifyCredentials(credentials); // the webhook's server is known: publish is one call
          return { credentials, secret: webhook.token };
        },
        post: () => textPost(freshText()),
        failPublish: (fault) => emulator.failNext({ ...fault, route: 'executeWebhook' }),
        failAny: (fault) => emulator.failNext(fault),
        landed: () => emulator.messages.length,
        reset: () => emulator.reset(),
        elsewhere: (url, account) => ({
          provider: providerFor('discord', configFor({ DISCORD_API_BASE_URL: url })),
          credentials: account.credentials,
        }),
        close: () => emulator.close(),
      };
    },
  },
];
