import { Body, Controller, Get, Put } from '@nestjs/common';
import type { ActionOrigin } from '@app/shared';
import { RequiresRole } from '../auth/access.decorators.js';
import { Member, Origin, type WorkspacePrincipal } from '../auth/principal.js';
import { AlertPreferencesDto, type AlertPreferencesResponse } from './dto/alert-preferences.dto.js';
import { AlertPreferencesService } from './alert-preferences.service.js';

/** The signed-in member's alert choices in the workspace the request names (X-Herald-Workspace). */
@Controller('v1/me/alerts')
@RequiresRole('viewer')
export class AlertPreferencesController {
  constructor(private readonly preferences: AlertPreferencesService) {}

  @Get()
  get(@Member() member: WorkspacePrincipal): Promise<AlertPreferencesResponse> {
    return this.preferences.get(member);
  }

  @Put()
  replace(
    @Member() member: WorkspacePrincipal,
    @Body() body: AlertPreferencesDto,
    @Origin() origin: ActionOrigin,
  ): Promise<AlertPreferencesResponse> {
    return this.preferences.replace(member, body, origin);
  }
}
