import { Module } from '@nestjs/common';
import { MembersModule } from '../members/members.module.js';
import { InvitationAcceptanceService } from './invitation-acceptance.service.js';
import { InvitationRepository } from './invitation.repository.js';
import { InvitationsController } from './invitations.controller.js';
import { InvitationsService } from './invitations.service.js';

@Module({
  imports: [MembersModule],
  controllers: [InvitationsController],
  providers: [InvitationRepository, InvitationsService, InvitationAcceptanceService],
  exports: [InvitationsService],
})
export class InvitationsModule {}
