import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { type ActionOrigin, AppConfig, DomainError } from '@app/shared';
import type { Request, Response } from 'express';
import { Public, RequiresRole } from '../auth/access.decorators.js';
import { Member, Origin, WorkspaceId, type WorkspacePrincipal } from '../auth/principal.js';
import { sessionTokenOf, setSessionCookie } from '../auth/session-cookie.js';
import { CSRF_HEADER } from '../auth/session-token.js';
import { requestIdOf } from '../common/request-id.middleware.js';
import { notFoundOnBadUuid } from '../common/uuid-param.js';
import { HttpRateLimits } from '../rate-limit/http-rate-limits.js';
import { AcceptInvitationDto } from './dto/accept-invitation.dto.js';
import { CreateInvitationDto } from './dto/create-invitation.dto.js';
import { type InvitationResponse, toInvitationResponse } from './dto/invitation.response.js';
import { InvitationAcceptanceService } from './invitation-acceptance.service.js';
import { InvitationsService } from './invitations.service.js';

/** What accepting answers; `csrfToken` when it signed the person in (the session is in the cookie). */
interface AcceptedInvitationResponse {
  workspace: { id: string; name: string };
  role: string;
  user: { id: string; email: string; name: string };
  csrfToken?: string;
}

@Controller('v1/invitations')
export class InvitationsController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly invitations: InvitationsService,
    private readonly acceptance: InvitationAcceptanceService,
    private readonly rateLimits: HttpRateLimits,
    config: AppConfig,
  ) {
    this.secureCookies = config.secureCookies;
  }

  @RequiresRole('admin')
  @Post()
  async invite(
    @Member() principal: WorkspacePrincipal,
    @Origin() origin: ActionOrigin,
    @Body() body: CreateInvitationDto,
  ): Promise<InvitationResponse> {
    return toInvitationResponse(await this.invitations.invite(principal, origin, body));
  }

  @RequiresRole('admin')
  @Get()
  async list(@WorkspaceId() workspaceId: string): Promise<{ items: InvitationResponse[] }> {
    return { items: (await this.invitations.list(workspaceId)).map((invitation) => toInvitationResponse(invitation)) };
  }

  @RequiresRole('admin')
  @Delete(':id')
  @HttpCode(204)
  revoke(
    @WorkspaceId() workspaceId: string,
    @Origin() origin: ActionOrigin,
    @Param('id', notFoundOnBadUuid('Pending invitation')) id: string,
  ): Promise<void> {
    return this.invitations.revoke(workspaceId, origin, id);
  }

  /** The link's token is the credential: anyone holding it may accept, proving who they are (see the service). */
  @Public()
  @Post('accept')
  @HttpCode(200)
  async accept(
    @Body() body: AcceptInvitationDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AcceptedInvitationResponse> {
    const { session, ...accepted } = await this.acceptance
      .accept(body, {
        sessionToken: sessionTokenOf(request),
        csrfToken: request.header(CSRF_HEADER),
        origin: request.header('origin'),
        userAgent: request.header('user-agent') ?? null,
        ip: request.ip ?? null,
        requestId: requestIdOf(request),
      })
      .catch(async (error: unknown) => {
        // A wrong password counts against the address's failed-authentication budget, as a sign-in's does.
        if (error instanceof DomainError && error.code === 'UNAUTHORIZED') {
          throw await this.rateLimits.refuseAuthentication(request, response, error.message);
        }
        throw error;
      });
    if (!session) return accepted;
    setSessionCookie(response, session.token, session.expiresAt, this.secureCookies);
    return { ...accepted, csrfToken: session.csrfToken };
  }
}
