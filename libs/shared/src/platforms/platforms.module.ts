import { Global, Module } from '@nestjs/common';
import { AccountCredentialsService } from '../accounts/account-credentials.service.js';
import { CredentialsCipher } from '../crypto/credentials-cipher.js';
import type { PlatformProvider } from './platform-provider.js';
import { PLATFORM_PROVIDERS, PlatformRegistry } from './platform.registry.js';

/** Every platform provider, and the credentials they are called with. */
@Global()
@Module({
  providers: [
    ...PLATFORM_PROVIDERS,
    {
      provide: PlatformRegistry,
      useFactory: (...providers: PlatformProvider[]) => new PlatformRegistry(providers),
      inject: PLATFORM_PROVIDERS,
    },
    CredentialsCipher,
    AccountCredentialsService,
  ],
  exports: [PlatformRegistry, CredentialsCipher, AccountCredentialsService],
})
export class PlatformsModule {}
