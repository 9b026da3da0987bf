import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import { trimmed } from '../../common/trimmed.js';

export class RenameWorkspaceDto {
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
}

export class DeleteWorkspaceDto {
  /** The workspace's name, typed again: deleting cannot be undone. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  confirmName: string;
}

export class TransferWorkspaceDto {
  /** The member who becomes owner (the caller stays on as an admin). */
  @IsUUID('all', { message: "userId must be a member's user id" })
  userId: string;
}
