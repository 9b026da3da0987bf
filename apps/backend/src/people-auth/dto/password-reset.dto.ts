import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsNewPassword } from '../password-rules.js';
import { EMAIL_MAX_LENGTH } from './login.dto.js';

export class PasswordResetRequestDto {
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(EMAIL_MAX_LENGTH)
  email: string;
}

export class PasswordResetConfirmDto {
  /** The token of the emailed link. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token: string;

  @IsNewPassword()
  newPassword: string;
}

export interface PasswordResetRequestedResponse {
  message: string;
}
