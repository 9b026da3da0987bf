import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { trimmed } from '../../common/trimmed.js';

export class AcceptInvitationDto {
  /** The token of the mailed link. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token: string;

  /** A new person's name. */
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  /** A new person's password (at least 10 characters), or an existing user's own. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  password?: string;
}
