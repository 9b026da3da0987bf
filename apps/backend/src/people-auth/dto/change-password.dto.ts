import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsNewPassword, PASSWORD_MAX_LENGTH } from '../password-rules.js';

export class ChangePasswordDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH)
  currentPassword: string;

  @IsNewPassword()
  newPassword: string;
}
