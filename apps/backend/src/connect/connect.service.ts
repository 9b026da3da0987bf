import { Injectable } from '@nestjs/common';
import {
  AccountCredentialsService,
  AppConfig,
  DomainError,
  PLATFORM_NAMES,
  PlatformRegistry,
  SocialAccountRepository,
  TransactionRunner,
  type ActionOrigin,
  type Actor,
  type ConnectedAccount,
  type OAuthConnection,
  type PlatformName,
  type PlatformProvider,
} from '@app/shared';
import { AccountChanges } from '../accounts/account-changes.js';
import { toAccountResponse, type AccountResponse } from '../accounts/dto/account.response.js';
import { OAuthStateCodec } from './oauth-state.js';

export interface ConnectStart {
  authorizeUrl: string;
  /** The link works until then. */
  expiresAt: string;
}

/** The callback's query, as the platform sends it back. */
export interface ConnectCallback {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

/**
 * OAuth 2.0 connections: sends people to the platform's authorize page (PKCE, sealed expiring single-use state),
 * then exchanges the code and stores the accounts it gives access to, encrypted. Connecting an
 * account that exists already renews its credentials and makes it active again.
 */
@Injectable()
export class ConnectService {
  constructor(
    private readonly platforms: PlatformRegistry,
    private readonly states: OAuthStateCodec,
    private readonly accounts: SocialAccountRepository,
    private readonly credentials: AccountCredentialsService,
    private readonly transactions: TransactionRunner,
    private readonly config: AppConfig,
    private readonly changes: AccountChanges,
  ) {}

  start(workspaceId: string, platform: string, actor: Actor): ConnectStart {
    const { name, oauth } = this.oauthOf(platform);
    const { state, codeChallenge, expiresAt } = this.states.issue(workspaceId, actor, name);
    return {
      authorizeUrl: oauth.authorizeUrl({ redirectUri: this.redirectUri(name), state, codeChallenge }),
      expiresAt: expiresAt.toISOString(),
    };
  }

  /** Connects the accounts on behalf of whoever started the connection, from where the callback came. */
  async complete(
    platform: string,
    callback: ConnectCallback,
    source: Omit<ActionOrigin, 'actor'>,
  ): Promise<AccountResponse[]> {
    const { name, provider, oauth } = this.oauthOf(platform);
    if (callback.error) {
      const detail = callback.error_description ? `: ${callback.error_description}` : '';
      throw DomainError.validation([
        { field: 'error', message: `${provider.rules.displayName} did not grant access (${callback.error}${detail})` },
      ]);
    }
    if (!callback.code || !callback.state) {
      throw DomainError.validation([{ field: 'code', message: 'the callback needs code and state' }]);
    }
    const state = await this.states.use(callback.state, name);
    let connected: ConnectedAccount<unknown>[];
    try {
      connected = await oauth.exchangeCode({
        code: callback.code,
        redirectUri: this.redirectUri(name),
        codeVerifier: state.codeVerifier,
      });
    } catch (error) {
      const failure = provider.classifyError(error);
      const message = `${provider.rules.displayName} refused the connection: ${failure.message}`;
      if (failure.kind === 'permanent') throw DomainError.validation([{ field: 'code', message }]);
      throw new DomainError('DEPENDENCY_UNAVAILABLE', `${message}. Try again later.`);
    }
    if (connected.length === 0) {
      throw DomainError.validation([
        {
          field: 'code',
          message: `the ${provider.rules.displayName} login gives access to no account Herald can post to`,
        },
      ]);
    }
    // On behalf of the workspace sealed in the state: the only thing tying this callback to a workspace.
    const origin: ActionOrigin = { ...source, actor: state.actor };
    const saved = await this.transactions.forWorkspace(state.workspaceId, async (tx) => {
      const accounts = [];
      for (const account of connected) {
        const { account: stored, reconnected } = await this.accounts.connect(
          tx,
          {
            workspaceId: state.workspaceId,
            platform: name,
            name: account.identity.displayName,
            externalId: account.identity.externalId,
          },
          (accountId) => this.credentials.seal(accountId, name, account.credentials),
        );
        await this.changes.connected(tx, origin, stored, 'oauth', reconnected);
        accounts.push(stored);
      }
      return accounts;
    });
    return saved.map(toAccountResponse);
  }

  private redirectUri(platform: PlatformName): string {
    return `${this.config.publicBaseUrl}/v1/connect/${platform}/callback`;
  }

  private oauthOf(platform: string): {
    name: PlatformName;
    provider: PlatformProvider;
    oauth: OAuthConnection<unknown>;
  } {
    if (!(PLATFORM_NAMES as readonly string[]).includes(platform)) {
      throw DomainError.notFound(`Platform "${platform}"`);
    }
    const name = platform as PlatformName;
    const provider = this.platforms.get(name);
    const oauth = provider.oauth;
    if (!oauth) {
      throw DomainError.validation([
        {
          field: 'platform',
          message: `${provider.rules.displayName} accounts are not connected through OAuth; add them with POST /v1/accounts`,
        },
      ]);
    }
    const missing = oauth.missingSettings();
    if (missing.length > 0) {
      throw new DomainError(
        'NOT_CONFIGURED',
        `Connecting ${provider.rules.displayName} needs ${missing.join(' and ')}`,
      );
    }
    return { name, provider, oauth };
  }
}
