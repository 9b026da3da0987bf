import { Module } from '@nestjs/common';
import { LoginThrottle } from './login-throttle.guard.js';
import { MeController } from './me.controller.js';
import { MeService } from './me.service.js';
import { PasswordResetRepository } from './password-reset.repository.js';
import { PasswordsService } from './passwords.service.js';
import { SignInController } from './sign-in.controller.js';
import { SignInService } from './sign-in.service.js';
import { UserWorkspacesRepository } from './user-workspaces.repository.js';

/** People signing in with a password, their sessions, and their passwords (change, reset by mail). */
@Module({
  controllers: [SignInController, MeController],
  providers: [
    SignInService,
    MeService,
    PasswordsService,
    PasswordResetRepository,
    UserWorkspacesRepository,
    LoginThrottle,
  ],
})
export class PeopleAuthModule {}
