import { Injectable } from '@nestjs/common';
import { WorkspaceRepository } from '@app/shared';

/**
 * How long a backend process remembers which workspace an API key acts for, so a busy key costs one
 * lookup per interval instead of one per request. It bounds how long a key revoked in the database
 * keeps working on a process that has just seen it (README, Security).
 */
export const API_KEY_REMEMBERED_MS = 5_000;

/** Enough for every key a process serves at once; past it the oldest entry goes first. */
const MAX_REMEMBERED_KEYS = 10_000;

/** The workspace of an unrevoked API key (by its hash), remembered for {@link API_KEY_REMEMBERED_MS}. */
@Injectable()
export class ApiKeyWorkspaces {
  private readonly remembered = new Map<string, { workspaceId: string; until: number }>();

  constructor(private readonly workspaces: WorkspaceRepository) {}

  /** Unknown and revoked keys are never remembered: each such request is looked up (and rate-limited). */
  async workspaceIdOf(apiKeyHash: string, now = Date.now()): Promise<string | null> {
    const known = this.remembered.get(apiKeyHash);
    if (known && known.until > now) return known.workspaceId;
    this.remembered.delete(apiKeyHash);
    const workspace = await this.workspaces.findByApiKeyHash(apiKeyHash);
    if (!workspace) return null;
    if (this.remembered.size >= MAX_REMEMBERED_KEYS) this.remembered.delete(this.remembered.keys().next().value!);
    this.remembered.set(apiKeyHash, { workspaceId: workspace.id, until: now + API_KEY_REMEMBERED_MS });
    return workspace.id;
  }
}
