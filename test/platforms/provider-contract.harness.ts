import { type MediaServer, startMediaServer } from '../../emulators/meta-graph/media-server.js';
import type { EmulatorEntry, RunningEmulator } from '../../emulators/registry.js';
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEY, testConfig } from '../support/test-environment.js';
import type { PlatformFixture, RunningPlatform } from './platform-fixture.js';

import { type AppConfig, PLATFORMS, type PlatformProvider, type PublishRequest } from '@app/shared';

/**
 * A platform's provider for the provider contract (provider-contract.spec.ts), built from the registries
 * alone: its definition in `PLATFORMS`, pointed at its emulator through its fixture's environment.
 */

export const TIMEOUT_MS = 2000;

export type AnyProvider = PlatformProvider<any>;

/** An account on the emulator, ready to publish; `secret` must never show in a failure's message. */
export interface Account {
  credentials: unknown;
  secret: string;
}

export interface Harness {
  /** The platform's name as its provider writes it in messages. */
  label: string;
  provider: AnyProvider;
  platform: RunningPlatform;
  newAccount(): Promise<Account>;
  /** A simple post (text, and the image where the platform requires one). */
  post(): PublishRequest;
  /** A provider and credentials that send `account`'s requests to `url` instead of the emulator. */
  elsewhere(url: string, account: Account): { provider: AnyProvider; credentials: unknown };
}

/** The emulators and the image server the contract needs, each started once, when first needed. */
export class ContractServers {
  private readonly emulators = new Map<EmulatorEntry, Promise<RunningEmulator>>();
  private media?: Promise<MediaServer>;

  emulator(entry: EmulatorEntry): Promise<RunningEmulator> {
    const started = this.emulators.get(entry) ?? entry.start({ host: '127.0.0.1' });
    this.emulators.set(entry, started);
    return started;
  }

  mediaServer(): Promise<MediaServer> {
    this.media ??= startMediaServer();
    return this.media;
  }

  async close(): Promise<void> {
    const servers = [...this.emulators.values(), ...(this.media ? [this.media] : [])];
    await Promise.all(servers.map(async (server) => (await server).close()));
  }
}

const configFor = (env: Record<string, string>): AppConfig =>
  testConfig({
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    PLATFORM_TIMEOUT_MS: String(TIMEOUT_MS),
    PUBLISH_LEASE_SECONDS: '10',
    ...env,
  });

/** The platform's provider, built from its definition in the registry, as PlatformsModule builds it. */
function providerFor(fixture: PlatformFixture<RunningEmulator>, env: Record<string, string>): AnyProvider {
  const definition = PLATFORMS.find((platform) => platform.name === fixture.platform);
  if (!definition) throw new Error(`No platform "${fixture.platform}" in platform.registry.ts`);
  return new (definition.provider as new (config: AppConfig) => AnyProvider)(configFor(env));
}

/** Credentials as Herald stores them once the account is added: checked, and renewed when already due. */
async function storedCredentials(provider: AnyProvider, input: Record<string, unknown>): Promise<unknown> {
  let credentials: unknown = provider.parseCredentials(input);
  const renewAt = provider.renewal?.renewAt(credentials);
  if (renewAt && renewAt.getTime() <= Date.now()) credentials = await provider.renewal!.renew(credentials);
  await provider.verifyCredentials(credentials);
  return credentials;
}

/** `value` with `from` replaced by `to` in every string it holds (URLs in settings and credentials). */
function redirected<T>(value: T, from: string, to: string): T {
  if (typeof value === 'string') return value.replaceAll(from, to) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redirected(item, from, to)) as T;
  if (value && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value).map(([key, item]) => [key, redirected(item, from, to)]);
    return Object.fromEntries(entries) as T;
  }
  return value;
}

let posts = 0;
/** Text no earlier post used, so platforms that refuse duplicates never do here. */
const freshText = () => `Contract post ${(posts += 1)}`;

export async function contractHarness(
  fixture: PlatformFixture<RunningEmulator>,
  emulator: RunningEmulator,
  servers: ContractServers,
): Promise<Harness> {
  const env = fixture.env(emulator);
  const provider = providerFor(fixture, env);
  const platform = fixture.attach(emulator);
  const media = fixture.imageRequired ? await servers.mediaServer() : undefined;
  return {
    label: provider.rules.displayName,
    provider,
    platform,
    newAccount: async () => {
      const input = platform.newCredentials();
      return { credentials: await storedCredentials(provider, input), secret: fixture.secretOf(input) };
    },
    post: () => ({ text: freshText(), media: media ? [media.image()] : [], idempotencyKey: 'target-1' }),
    // The emulator's URL is in the settings, or in the credentials where the account names its server (Mastodon).
    elsewhere: (url, account) => ({
      provider: providerFor(fixture, redirected(env, emulator.url, url)),
      credentials: redirected(account.credentials, emulator.url, url),
    }),
  };
}
