import { Body, Controller, Headers, HttpCode, Ip, Post, Res, UseGuards } from '@nestjs/common';
import { AppConfig } from '@app/shared';
import type { Response } from 'express';
import { Public, SignedIn } from '../auth/access.decorators.js';
import { CurrentUser, type UserPrincipal } from '../auth/principal.js';
import { clearSessionCookie, setSessionCookie } from '../auth/session-cookie.js';
import { LoginDto } from './dto/login.dto.js';
import {
  PasswordResetConfirmDto,
  PasswordResetRequestDto,
  type PasswordResetRequestedResponse,
} from './dto/password-reset.dto.js';
import type { ProfileResponse } from './dto/profile.response.js';
import { LoginThrottle } from './login-throttle.guard.js';
import { PasswordsService } from './passwords.service.js';
import { SignInService } from './sign-in.service.js';

/** Longest user agent kept with a session: enough to recognise a browser in the list. */
const USER_AGENT_MAX_LENGTH = 512;

@Controller('v1/auth')
export class SignInController {
  /** See AppConfig.secureCookies. */
  private readonly secureCookies: boolean;

  constructor(
    private readonly signIn: SignInService,
    private readonly passwords: PasswordsService,
    config: AppConfig,
  ) {
    this.secureCookies = config.secureCookies;
  }

  @Public()
  @UseGuards(LoginThrottle)
  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: LoginDto,
    @Headers('user-agent') userAgent: string | undefined,
    @Ip() ip: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ProfileResponse> {
    const { session, profile } = await this.signIn.signIn(body.email, body.password, {
      userAgent: userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
      ip: ip ?? null,
    });
    setSessionCookie(response, session.token, session.expiresAt, this.secureCookies);
    return profile;
  }

  @SignedIn()
  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentUser() me: UserPrincipal, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.signIn.signOut(me);
    clearSessionCookie(response, this.secureCookies);
  }

  @Public()
  @UseGuards(LoginThrottle)
  @Post('password-reset')
  @HttpCode(202)
  async requestPasswordReset(@Body() body: PasswordResetRequestDto): Promise<PasswordResetRequestedResponse> {
    await this.passwords.requestReset(body.email);
    return { message: 'If an account has this email, a link to reset its password is on its way' };
  }

  @Public()
  @Post('password-reset/confirm')
  @HttpCode(204)
  confirmPasswordReset(@Body() body: PasswordResetConfirmDto): Promise<void> {
    return this.passwords.confirmReset(body.token, body.newPassword);
  }
}
