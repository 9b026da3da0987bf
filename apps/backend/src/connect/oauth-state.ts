import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { CredentialsCipher, DomainError, type PlatformName } from '@app/shared';

/** How long a person has to approve access on the platform. */
const STATE_LIFETIME_MS = 10 * 60 * 1000;

/** What the OAuth `state` carries through the platform's authorize page, sealed. */
export interface ConnectState {
  workspaceId: string;
  platform: PlatformName;
  codeVerifier: string;
  expiresAt: number;
}

/**
 * The `state` of an OAuth connection: AES-256-GCM sealed (so it is signed, and the PKCE verifier
 * inside stays secret), and expiring. It is the only thing tying the callback to a workspace.
 */
@Injectable()
export class OAuthStateCodec {
  constructor(private readonly cipher: CredentialsCipher) {}

  /** A fresh PKCE pair and the state that remembers its verifier. */
  issue(workspaceId: string, platform: PlatformName): { state: string; codeChallenge: string; expiresAt: Date } {
    const codeVerifier = randomBytes(48).toString('base64url');
    const expiresAt = Date.now() + STATE_LIFETIME_MS;
    const sealed: ConnectState = { workspaceId, platform, codeVerifier, expiresAt };
    return {
      state: Buffer.from(this.cipher.encrypt(sealed)).toString('base64url'),
      codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      expiresAt: new Date(expiresAt),
    };
  }

  /** The state's contents; a 400 when it was tampered with, is for another platform, or expired. */
  open(state: string, platform: PlatformName): ConnectState {
    let opened: ConnectState;
    try {
      opened = this.cipher.decrypt(Buffer.from(state, 'base64url').toString()) as ConnectState;
    } catch {
      throw invalidState('it is not one Herald issued');
    }
    if (opened.platform !== platform) throw invalidState(`it was issued for ${opened.platform}`);
    if (opened.expiresAt < Date.now()) throw invalidState('it expired; start again with GET /v1/connect/:platform');
    return opened;
  }
}

const invalidState = (why: string) => DomainError.validation([{ field: 'state', message: `is not valid: ${why}` }]);
