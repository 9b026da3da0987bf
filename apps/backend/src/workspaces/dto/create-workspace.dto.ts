import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class CreateWorkspaceDto {
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
}

export interface CreatedWorkspaceResponse {
  id: string;
  name: string;
  /** Shown this once; only its hash is stored. */
  apiKey: string;
}
