import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { SignedIn } from '../auth/access.decorators.js';
import { CurrentUser, type UserPrincipal } from '../auth/principal.js';
import { notFoundOnBadUuid } from '../common/uuid-param.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import type { ProfileResponse, SessionResponse } from './dto/profile.response.js';
import { LoginThrottle } from './login-throttle.guard.js';
import { MeService } from './me.service.js';
import { PasswordsService } from './passwords.service.js';

/** The signed-in person's own account (a session's routes: API keys act for workspaces, not people). */
@Controller('v1/me')
@SignedIn()
export class MeController {
  constructor(
    private readonly me: MeService,
    private readonly passwords: PasswordsService,
  ) {}

  @Get()
  profile(@CurrentUser() me: UserPrincipal): Promise<ProfileResponse> {
    return this.me.profile(me.userId, me.sessionId);
  }

  @Get('sessions')
  async sessions(@CurrentUser() me: UserPrincipal): Promise<{ items: SessionResponse[] }> {
    return { items: await this.me.sessionsOf(me) };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  endSession(
    @CurrentUser() me: UserPrincipal,
    @Param('id', notFoundOnBadUuid('Session')) sessionId: string,
  ): Promise<void> {
    return this.me.endSession(me, sessionId);
  }

  @Delete('sessions')
  async endOtherSessions(@CurrentUser() me: UserPrincipal): Promise<{ ended: number }> {
    return { ended: await this.me.endOtherSessions(me) };
  }

  @Put('password')
  @UseGuards(LoginThrottle)
  @HttpCode(204)
  changePassword(@CurrentUser() me: UserPrincipal, @Body() body: ChangePasswordDto): Promise<void> {
    return this.passwords.change(me, body.currentPassword, body.newPassword);
  }
}
