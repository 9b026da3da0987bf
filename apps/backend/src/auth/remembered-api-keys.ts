import { Injectable } from '@nestjs/common';
import { ApiKeyRepository, type ApiKeyPrincipalRow } from './api-key.repository.js';

/**
 * How long a backend process remembers who an API key acts for, so a busy key costs one lookup per
 * interval instead of one per request. It bounds how long a key revoked on another backend process
 * keeps working on this one (README, Security); the process that revokes a key forgets it at once.
 */
export const API_KEY_REMEMBERED_MS = 5_000;

/** Enough for every key a process serves at once; past it the oldest entry goes first. */
const MAX_REMEMBERED_KEYS = 10_000;

/** Unrevoked API keys (by hash) and whom they act for, remembered for {@link API_KEY_REMEMBERED_MS}. */
@Injectable()
export class RememberedApiKeys {
  private readonly remembered = new Map<string, { key: ApiKeyPrincipalRow; until: number }>();

  constructor(private readonly apiKeys: ApiKeyRepository) {}

  /** Unknown and revoked keys are never remembered: each such request is looked up (and rate-limited). */
  async principal(keyHash: string, now = Date.now()): Promise<ApiKeyPrincipalRow | null> {
    const known = this.remembered.get(keyHash);
    if (known && known.until > now) return known.key;
    this.remembered.delete(keyHash);
    const key = await this.apiKeys.principal(keyHash);
    if (!key) return null;
    if (this.remembered.size >= MAX_REMEMBERED_KEYS) this.remembered.delete(this.remembered.keys().next().value!);
    this.remembered.set(keyHash, { key, until: now + API_KEY_REMEMBERED_MS });
    return key;
  }

  /** Forgets a key this process just revoked, so it stops working here on the next request. */
  forget(apiKeyId: string): void {
    this.forgetWhere((key) => key.apiKeyId === apiKeyId);
  }

  /** Forgets every key of a workspace this process just deleted. */
  forgetWorkspace(workspaceId: string): void {
    this.forgetWhere((key) => key.workspaceId === workspaceId);
  }

  private forgetWhere(matches: (key: ApiKeyPrincipalRow) => boolean): void {
    for (const [hash, { key }] of this.remembered) {
      if (matches(key)) this.remembered.delete(hash);
    }
  }
}
