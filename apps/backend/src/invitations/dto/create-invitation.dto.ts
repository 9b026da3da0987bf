import { ROLES, type Role } from '@app/shared';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { trimmed, trimmedLowerCase } from '../../common/trimmed.js';

export class CreateInvitationDto {
  @Transform(trimmedLowerCase)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email: string;

  @IsIn(ROLES, { message: `role must be one of: ${ROLES.join(', ')}` })
  role: Role;

  /** How the mail greets them, and their name unless they choose another. */
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(200)
  name?: string;
}
