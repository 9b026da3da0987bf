import { setTimeout as sleep } from 'node:timers/promises';
import type { AxiosInstance } from 'axios';
import { imageFileName } from '../image-file-name.js';
import type { MediaAttachment } from '../platform-provider.js';
import type { MastodonCredentials } from './mastodon-credentials.js';
import { MediaStillProcessingError } from './mastodon-errors.js';

/** The parts of Mastodon's Account entity Herald reads. */
export interface MastodonAccount {
  id: string;
  username: string;
}

/** The parts of Mastodon's Status entity Herald reads. */
export interface MastodonStatus {
  id: string;
  /** The status's page (null for some remote statuses; `uri` then). */
  url: string | null;
  uri: string;
  /** HTML rendered from the text. */
  content: string;
  created_at: string;
  in_reply_to_id: string | null;
}

interface MastodonMediaAttachment {
  id: string;
  /** Null while Mastodon is still processing the file. */
  url: string | null;
}

export interface NewStatus {
  text: string;
  mediaIds: string[];
  inReplyToId?: string;
}

/** Mastodon's largest page of an account's statuses. */
export const STATUSES_PAGE_SIZE = 40;

const FIRST_POLL_DELAY_MS = 250;
const MAX_POLL_DELAY_MS = 2000;

/** The Mastodon REST API calls Herald makes, with one account's token on its instance. */
export class MastodonApi {
  constructor(
    private readonly http: AxiosInstance,
    private readonly credentials: MastodonCredentials,
  ) {}

  async verifyCredentials(): Promise<MastodonAccount> {
    const { data } = await this.http.get<MastodonAccount>(this.url('/api/v1/accounts/verify_credentials'), {
      headers: this.authorization(),
    });
    if (typeof data?.id !== 'string' || typeof data.username !== 'string') {
      throw new Error('Mastodon answered verify_credentials without an account');
    }
    return data;
  }

  /**
   * Uploads one image with its alt text and resolves its media id once Mastodon has processed it: at once
   * (200) for still images, after polling (202, then 206 until done) for the ones it converts, such as
   * animated GIFs. Gives up at `deadline` (epoch ms).
   */
  async uploadMedia(media: MediaAttachment, deadline: number): Promise<string> {
    const form = new FormData();
    const bytes = await media.read();
    form.append(
      'file',
      new Blob([new Uint8Array(bytes)], { type: media.mimeType }),
      imageFileName(media.mimeType, 'image'),
    );
    if (media.altText) form.append('description', media.altText);

    const { status, data } = await this.http.post<MastodonMediaAttachment>(this.url('/api/v2/media'), form, {
      headers: this.authorization(),
    });
    const id = mediaIdOf(data);
    if (status === 202 || data.url === null) await this.waitUntilProcessed(id, deadline);
    return id;
  }

  async createStatus(status: NewStatus, idempotencyKey: string): Promise<MastodonStatus> {
    const body = {
      status: status.text,
      visibility: 'public',
      ...(status.mediaIds.length > 0 ? { media_ids: status.mediaIds } : {}),
      ...(status.inReplyToId ? { in_reply_to_id: status.inReplyToId } : {}),
    };
    const { data } = await this.http.post<MastodonStatus>(this.url('/api/v1/statuses'), body, {
      headers: { ...this.authorization(), 'Idempotency-Key': idempotencyKey },
    });
    if (typeof data?.id !== 'string') throw new Error('Mastodon accepted the status but returned no id');
    return data;
  }

  /** One page of the account's own statuses (replies included, boosts left out), newest first. */
  async accountStatuses(accountId: string, maxId?: string): Promise<MastodonStatus[]> {
    const { data } = await this.http.get<MastodonStatus[]>(
      this.url(`/api/v1/accounts/${encodeURIComponent(accountId)}/statuses`),
      {
        headers: this.authorization(),
        params: { limit: STATUSES_PAGE_SIZE, exclude_reblogs: true, ...(maxId ? { max_id: maxId } : {}) },
      },
    );
    if (!Array.isArray(data)) throw new Error('Mastodon answered the statuses lookup without a list');
    return data;
  }

  private async waitUntilProcessed(id: string, deadline: number): Promise<void> {
    const started = Date.now();
    for (let delay = FIRST_POLL_DELAY_MS; ; delay = Math.min(delay * 2, MAX_POLL_DELAY_MS)) {
      if (Date.now() + delay > deadline) throw new MediaStillProcessingError(id, Date.now() - started);
      await sleep(delay);
      const { status, data } = await this.http.get<MastodonMediaAttachment>(
        this.url(`/api/v1/media/${encodeURIComponent(id)}`),
        { headers: this.authorization() },
      );
      // 206 Partial Content: still processing.
      if (status !== 206 && data?.url) return;
    }
  }

  private url(path: string): string {
    return new URL(path, this.credentials.instanceUrl).toString();
  }

  private authorization(): Record<string, string> {
    return { Authorization: `Bearer ${this.credentials.accessToken}` };
  }
}

function mediaIdOf(data: MastodonMediaAttachment | undefined): string {
  if (typeof data?.id !== 'string') throw new Error('Mastodon answered the upload without a media id');
  return data.id;
}
