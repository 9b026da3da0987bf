import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import type { ActionOrigin } from '@app/shared';
import { SignedIn } from '../auth/access.decorators.js';
import { CurrentUser, Origin, type UserPrincipal } from '../auth/principal.js';
import { notFoundOnBadUuid } from '../common/uuid-param.js';
import {
  AlertPreferencesDto,
  type AlertPreferencesResponse,
  type WorkspaceAlertPreferencesResponse,
} from './dto/alert-preferences.dto.js';
import { AlertPreferencesService } from './alert-preferences.service.js';

/** The signed-in person's alert choices, per workspace they belong to (alerts go to people, not API keys). */
@Controller('v1/me/alerts')
@SignedIn()
export class AlertPreferencesController {
  constructor(private readonly preferences: AlertPreferencesService) {}

  @Get()
  async list(@CurrentUser() user: UserPrincipal): Promise<{ items: WorkspaceAlertPreferencesResponse[] }> {
    return { items: await this.preferences.list(user.userId) };
  }

  @Put(':workspaceId')
  replace(
    @CurrentUser() user: UserPrincipal,
    @Param('workspaceId', notFoundOnBadUuid('Workspace')) workspaceId: string,
    @Body() body: AlertPreferencesDto,
    @Origin() origin: ActionOrigin,
  ): Promise<AlertPreferencesResponse> {
    return this.preferences.replace(user.userId, workspaceId, body, origin);
  }
}
