import { Controller, Get, Header, Param, StreamableFile, UseGuards } from '@nestjs/common';
import { MediaService } from '@app/shared';
import { Public } from '../auth/access.decorators.js';
import { notFoundOnBadUuid } from '../common/uuid-param.js';
import { SignedMediaLinkGuard } from './signed-media-link.guard.js';

/** The bytes under a media id never change, so a platform that fetches twice may keep them a while. */
const CACHE_SECONDS = 3600;

/** Where platforms that pull images by URL fetch them: no API key, a signed and expiring link instead. */
@Controller('v1/media')
@Public()
export class MediaContentController {
  constructor(private readonly media: MediaService) {}

  @Get(':id/content')
  @UseGuards(SignedMediaLinkGuard)
  @Header('Cache-Control', `private, max-age=${CACHE_SECONDS}`)
  @Header('X-Content-Type-Options', 'nosniff')
  async content(@Param('id', notFoundOnBadUuid('Media')) id: string): Promise<StreamableFile> {
    const { bytes, mimeType } = await this.media.content(id);
    return new StreamableFile(bytes, { type: mimeType, length: bytes.length });
  }
}
