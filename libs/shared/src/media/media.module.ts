import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { LocalDiskMediaStorage } from './local-disk-media.storage.js';
import { MediaLinkSigner } from './media-link-signer.js';
import { MediaStorage } from './media-storage.js';
import { MediaRepository } from './media.repository.js';
import { MediaService } from './media.service.js';
import { RemoteMediaFetcher } from './remote-media-fetcher.js';
import { S3MediaStorage } from './s3-media.storage.js';

/** The store MEDIA_STORAGE names (its settings were validated with the environment). */
export function createMediaStorage(config: AppConfig): MediaStorage {
  const settings = config.media.storage;
  return settings.kind === 's3'
    ? new S3MediaStorage(settings, config.publishing.platformTimeoutMs)
    : new LocalDiskMediaStorage(settings.directory);
}

/** Media for the backend (uploads, links) and the worker (attachments). Needs the database and config modules. */
@Global()
@Module({
  providers: [
    MediaRepository,
    MediaLinkSigner,
    RemoteMediaFetcher,
    MediaService,
    { provide: MediaStorage, inject: [AppConfig], useFactory: createMediaStorage },
  ],
  exports: [MediaService, MediaLinkSigner],
})
export class MediaModule {}
