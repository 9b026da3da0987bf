import { Global, Module } from '@nestjs/common';
import { ApiKeyWorkspaces } from './api-key-workspaces.js';

/** What the auth guards share across controllers: one memory of API keys per process. */
@Global()
@Module({
  providers: [ApiKeyWorkspaces],
  exports: [ApiKeyWorkspaces],
})
export class AuthModule {}
