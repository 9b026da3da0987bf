import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { trimmed, trimmedLowerCase } from '../../common/trimmed.js';
import type { InvitationResponse } from '../../invitations/dto/invitation.response.js';

export class CreateWorkspaceDto {
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  /** The first owner, invited by mail. */
  @IsOptional()
  @Transform(trimmedLowerCase)
  @IsEmail({}, { message: 'ownerEmail must be an email address' })
  @MaxLength(320)
  ownerEmail?: string;

  /** The first owner's name, as the mail greets them. */
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(200)
  ownerName?: string;
}

export interface CreatedWorkspaceResponse {
  id: string;
  name: string;
  /** Shown this once; only its hash is stored. */
  apiKey: string;
  /** The first owner's invitation, when `ownerEmail` was given. */
  ownerInvitation?: InvitationResponse;
}
