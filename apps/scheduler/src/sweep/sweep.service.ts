import { Injectable, Logger } from '@nestjs/common';
import { IdempotencyKeyRepository, MediaService } from '@app/shared';

/** Media removed per database round trip; a pass goes on until none is left. */
const MEDIA_BATCH_SIZE = 100;

export interface SweepSummary {
  idempotencyKeys: number;
  media: number;
}

/** Removes what nothing needs any more: expired idempotency keys, and uploads no post references after 24 hours. */
@Injectable()
export class SweepService {
  private readonly logger = new Logger(SweepService.name);

  constructor(
    private readonly idempotencyKeys: IdempotencyKeyRepository,
    private readonly media: MediaService,
  ) {}

  async sweep(now: Date = new Date()): Promise<SweepSummary> {
    const summary: SweepSummary = { idempotencyKeys: await this.idempotencyKeys.deleteExpired(now), media: 0 };
    for (;;) {
      const removed = await this.media.sweepUnreferenced(now, MEDIA_BATCH_SIZE);
      summary.media += removed;
      if (removed < MEDIA_BATCH_SIZE) break;
    }
    if (summary.idempotencyKeys + summary.media > 0) this.logger.log(`Sweep pass: ${JSON.stringify(summary)}`);
    return summary;
  }
}
