import { Module } from '@nestjs/common';
import { MembersController } from './members.controller.js';
import { MembersService } from './members.service.js';
import { MembershipRepository } from './membership.repository.js';

@Module({
  controllers: [MembersController],
  providers: [MembershipRepository, MembersService],
  exports: [MembershipRepository, MembersService],
})
export class MembersModule {}
