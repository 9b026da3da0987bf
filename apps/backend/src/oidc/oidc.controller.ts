import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { AppConfig } from '@app/shared';
import type { Request, Response } from 'express';
import { Public } from '../auth/access.decorators.js';
import { setSessionCookie } from '../auth/session-cookie.js';
import { OidcStartQuery } from './dto/oidc-start.query.js';
import { clearOidcFlowCookie, oidcFlowOf, setOidcFlowCookie } from './oidc-flow-cookie.js';
import { OidcService, type OidcAvailability } from './oidc.service.js';

/** Single sign-on: browsers are sent to `start` and come back to `callback`, both redirected on. */
@Controller('v1/auth/oidc')
@Public()
export class OidcController {
  /** See AppConfig.secureCookies. */
  private readonly secureCookies: boolean;

  constructor(
    private readonly oidc: OidcService,
    config: AppConfig,
  ) {
    this.secureCookies = config.secureCookies;
  }

  /** Whether to show a single sign-on button on the sign-in page, and its name. */
  @Get()
  availability(): OidcAvailability {
    return this.oidc.availability();
  }

  /** Sends the browser to the provider's sign-in page, remembering the sign-in in a sealed cookie. */
  @Get('start')
  async start(@Query() query: OidcStartQuery, @Res() response: Response): Promise<void> {
    const { authorizationUrl, flow } = await this.oidc.start(query.returnTo);
    setOidcFlowCookie(response, flow.sealed, flow.expiresAt, this.secureCookies);
    response.redirect(302, authorizationUrl.href);
  }

  /** Where the provider sends the browser back: signs the person in and sends them to where they were going. */
  @Get('callback')
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    // The flow ends here, signed in or refused: its cookie goes either way.
    clearOidcFlowCookie(response, this.secureCookies);
    const { session, returnTo } = await this.oidc.complete(
      new URL(request.originalUrl, 'http://callback.invalid').searchParams,
      oidcFlowOf(request),
      { userAgent: request.header('user-agent') ?? null, ip: request.ip ?? null },
    );
    setSessionCookie(response, session.token, session.expiresAt, this.secureCookies);
    response.redirect(302, returnTo);
  }
}
