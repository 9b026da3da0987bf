import { Global, Module } from '@nestjs/common';
import type { PlatformProvider } from './platform-provider.js';
import { PLATFORM_PROVIDERS, PlatformRegistry } from './platform.registry.js';

@Global()
@Module({
  providers: [
    ...PLATFORM_PROVIDERS,
    {
      provide: PlatformRegistry,
      useFactory: (...providers: PlatformProvider[]) => new PlatformRegistry(providers),
      inject: PLATFORM_PROVIDERS,
    },
  ],
  exports: [PlatformRegistry],
})
export class PlatformsModule {}
