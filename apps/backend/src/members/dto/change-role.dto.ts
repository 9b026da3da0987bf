import { ROLES, type Role } from '@app/shared';
import { IsIn } from 'class-validator';

export class ChangeRoleDto {
  @IsIn(ROLES, { message: `role must be one of: ${ROLES.join(', ')}` })
  role: Role;
}
