import { applyDecorators } from '@nestjs/common';
import { IsString, Length } from 'class-validator';

export const PASSWORD_MIN_LENGTH = 10;
/** Long enough for any passphrase, short enough that hashing it costs nothing unusual. */
export const PASSWORD_MAX_LENGTH = 256;

/** A password someone chooses (sign-up, change, reset): 10 to 256 characters. */
export const IsNewPassword = () =>
  applyDecorators(
    IsString(),
    Length(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, {
      message: `must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long`,
    }),
  );
