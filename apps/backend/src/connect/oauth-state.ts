import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DomainError, EnvelopeCipher, KeyRing, type Actor, type PlatformName } from '@app/shared';
import { Clock } from './clock.js';
import { OAuthStateUseRepository } from './oauth-state-use.repository.js';

/** The associated data of every state: its key is used for nothing else, so there is nothing to tell apart. */
const STATE_CONTEXT = '';

/** How long a person has to approve access on the platform. */
const STATE_LIFETIME_MS = 10 * 60 * 1000;

/** What the OAuth `state` carries through the platform's authorize page, sealed. */
export interface ConnectState {
  /** Recorded when the state is used, so it connects accounts once. */
  id: string;
  workspaceId: string;
  /** Who started the connection: the audit log names them for the accounts it connects. */
  actor: Actor;
  platform: PlatformName;
  codeVerifier: string;
  expiresAt: number;
}

/**
 * The `state` of an OAuth connection: AES-256-GCM sealed with the key ring's OAuth-state key (so it is
 * signed, and the PKCE verifier inside stays secret), expiring and single use. It is the only thing
 * tying the callback to a workspace: the accounts are connected to the workspace sealed inside, whoever
 * sends the callback.
 */
@Injectable()
export class OAuthStateCodec {
  private readonly cipher: EnvelopeCipher;

  constructor(
    ring: KeyRing,
    private readonly uses: OAuthStateUseRepository,
    private readonly clock: Clock,
  ) {
    this.cipher = new EnvelopeCipher(ring, 'oauth-state');
  }

  /** A fresh PKCE pair and the state that remembers its verifier. */
  issue(
    workspaceId: string,
    actor: Actor,
    platform: PlatformName,
  ): { state: string; codeChallenge: string; expiresAt: Date } {
    const codeVerifier = randomBytes(48).toString('base64url');
    const expiresAt = this.clock.now() + STATE_LIFETIME_MS;
    const sealed: ConnectState = { id: randomUUID(), workspaceId, actor, platform, codeVerifier, expiresAt };
    return {
      state: Buffer.from(this.cipher.seal(sealed, STATE_CONTEXT)).toString('base64url'),
      codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      expiresAt: new Date(expiresAt),
    };
  }

  /**
   * The state's contents, spent: a 400 when it was tampered with, is for another platform, expired, or
   * was used already. Spent before the code is exchanged, so two callbacks racing with one state
   * cannot both connect.
   */
  async use(state: string, platform: PlatformName): Promise<ConnectState> {
    let opened: ConnectState;
    try {
      opened = this.cipher.open(Buffer.from(state, 'base64url').toString(), STATE_CONTEXT) as ConnectState;
    } catch {
      throw invalidState('it is not one Herald issued');
    }
    // States sealed before they carried an id (all expired by now) cannot be spent once, and those
    // without an actor (expired 10 minutes after the upgrade) cannot say who connected: refused.
    if (typeof opened.id !== 'string') throw invalidState('it is not one Herald issued');
    if (typeof opened.actor !== 'object') throw invalidState(`it is from an older version of Herald; ${START_AGAIN}`);
    if (opened.platform !== platform) throw invalidState(`it was issued for ${opened.platform}`);
    const now = this.clock.now();
    if (opened.expiresAt < now) throw invalidState(`it expired; ${START_AGAIN}`);
    if (!(await this.uses.markUsed(opened.id, new Date(opened.expiresAt), new Date(now)))) {
      throw invalidState(`it was used already; ${START_AGAIN}`);
    }
    return opened;
  }
}

const START_AGAIN = 'start again with GET /v1/connect/:platform';

const invalidState = (why: string) => DomainError.validation([{ field: 'state', message: `is not valid: ${why}` }]);
