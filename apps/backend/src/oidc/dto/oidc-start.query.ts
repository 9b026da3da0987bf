import { IsOptional, IsString, MaxLength } from 'class-validator';

export class OidcStartQuery {
  /** A path on this site to land on once signed in (default `/`). */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  returnTo?: string;
}
