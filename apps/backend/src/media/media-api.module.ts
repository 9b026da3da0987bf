import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { AppConfig, MediaModule } from '@app/shared';
import { MediaContentController } from './media-content.controller.js';
import { MediaController } from './media.controller.js';
import { SignedMediaLinkGuard } from './signed-media-link.guard.js';
import { UPLOAD_FORM_LIMITS, UploadProblemsInterceptor } from './upload-problems.interceptor.js';

@Module({
  imports: [
    MediaModule,
    // No storage engine named: multer keeps the file in memory, and stops reading past any limit.
    MulterModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ limits: { fileSize: config.media.maxBytes, ...UPLOAD_FORM_LIMITS } }),
    }),
  ],
  controllers: [MediaController, MediaContentController],
  providers: [SignedMediaLinkGuard, UploadProblemsInterceptor],
})
export class MediaApiModule {}
