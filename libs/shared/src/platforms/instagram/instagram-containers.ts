import { setTimeout as sleep } from 'node:timers/promises';
import type { AxiosInstance } from 'axios';
import { GraphRefusal } from '../meta-graph/graph-errors.js';
import { withToken } from '../meta-graph/graph-http.js';
import { textParam } from '../meta-graph/graph-text.js';
import type { PreparationDeadline } from '../meta-graph/preparation-deadline.js';
import type { MediaAttachment } from '../platform-provider.js';

/** The account a container is made for, and the token that may act for it. */
export interface ContainerOwner {
  instagramUserId: string;
  accessToken: string;
}

interface ContainerStatus {
  status_code?: string;
  status?: string;
}

/** The first status read comes at once; later ones back off up to this pause. */
const FIRST_POLL_PAUSE_MS = 500;
const MAX_POLL_PAUSE_MS = 4_000;

/**
 * Instagram media containers: the unpublished post Instagram builds from an image URL (it downloads the
 * image itself), then reports as FINISHED, ERROR or EXPIRED.
 */
export class InstagramContainers {
  constructor(private readonly http: AxiosInstance) {}

  /** A container for one image, or a carousel of several (each image a carousel item); its id. */
  async create(owner: ContainerOwner, media: MediaAttachment[], caption: string): Promise<string> {
    const captionField = textParam('caption', caption);
    if (media.length === 1) return this.createImage(owner, media[0], captionField);
    const children = await Promise.all(
      media.map((item) => this.createImage(owner, item, { is_carousel_item: 'true' })),
    );
    return this.post(owner, { media_type: 'CAROUSEL', children: children.join(','), ...captionField });
  }

  /**
   * Waits until Instagram has processed the container. ERROR and EXPIRED are final; a container still in
   * progress when the deadline comes is left behind (it expires unpublished after 24 hours).
   */
  async waitUntilFinished(owner: ContainerOwner, containerId: string, deadline: PreparationDeadline): Promise<void> {
    for (let pauseMs = FIRST_POLL_PAUSE_MS; ; pauseMs = Math.min(pauseMs * 2, MAX_POLL_PAUSE_MS)) {
      const { data } = await this.http.get<ContainerStatus>(
        `/${containerId}`,
        withToken(owner.accessToken, { fields: 'status_code,status' }),
      );
      if (data.status_code === 'FINISHED') return;
      if (data.status_code === 'ERROR' || data.status_code === 'EXPIRED') {
        const detail = data.status && data.status !== data.status_code ? `: ${data.status}` : '';
        throw new GraphRefusal({
          kind: 'permanent',
          message: `Instagram could not prepare the media (container ${data.status_code}${detail})`,
        });
      }
      if (deadline.remainingMs() < pauseMs) {
        throw new Error(`Instagram was still processing the media (container ${data.status_code ?? 'status unknown'})`);
      }
      await sleep(pauseMs);
    }
  }

  private async createImage(
    owner: ContainerOwner,
    media: MediaAttachment,
    fields: Record<string, string>,
  ): Promise<string> {
    const altText: Record<string, string> = media.altText ? { alt_text: media.altText } : {};
    return this.post(owner, { image_url: await media.publicUrl(), ...altText, ...fields });
  }

  private async post(owner: ContainerOwner, fields: Record<string, string>): Promise<string> {
    const { data } = await this.http.post<{ id: string }>(
      `/${owner.instagramUserId}/media`,
      new URLSearchParams(fields),
      withToken(owner.accessToken),
    );
    return data.id;
  }
}
