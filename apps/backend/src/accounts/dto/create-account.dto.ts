import { PLATFORM_NAMES, type PlatformName } from '@app/shared';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class CreateAccountDto {
  @IsIn(PLATFORM_NAMES, { message: `platform must be one of: ${PLATFORM_NAMES.join(', ')}` })
  platform: PlatformName;

  /** Omitted: the name the platform gives the account. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  /** Platform-specific; its shape is checked by the platform's provider. */
  @IsObject()
  credentials: Record<string, unknown>;
}
