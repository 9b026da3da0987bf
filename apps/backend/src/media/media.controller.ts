import { Controller, Get, Param, ParseFilePipe, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { DomainError, MediaService, type MediaView } from '@app/shared';
import { RequiresRole } from '../auth/access.decorators.js';
import { WorkspaceId } from '../auth/principal.js';
import { notFoundOnBadUuid } from '../common/uuid-param.js';
import { UploadProblemsInterceptor } from './upload-problems.interceptor.js';

const requiredFile = new ParseFilePipe({
  exceptionFactory: () =>
    DomainError.validation([
      { field: 'file', message: 'is required: send the image as multipart/form-data, in the field "file"' },
    ]),
});

@Controller('v1/media')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  /** The file's type and size are read from its bytes; its name and declared type are ignored. */
  @RequiresRole('editor')
  @Post()
  @UseInterceptors(UploadProblemsInterceptor, FileInterceptor('file'))
  upload(@WorkspaceId() workspaceId: string, @UploadedFile(requiredFile) file: { buffer: Buffer }): Promise<MediaView> {
    return this.media.store(workspaceId, file.buffer);
  }

  @RequiresRole('viewer')
  @Get(':id')
  get(@WorkspaceId() workspaceId: string, @Param('id', notFoundOnBadUuid('Media')) id: string): Promise<MediaView> {
    return this.media.get(workspaceId, id);
  }
}
