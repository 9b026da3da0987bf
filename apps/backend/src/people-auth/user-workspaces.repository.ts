import { Injectable } from '@nestjs/common';
import { isRole, type Role, sqlRows } from '@app/shared';
import { DataSource } from 'typeorm';

export interface UserWorkspace {
  id: string;
  name: string;
  role: Role;
}

/** The workspaces a person belongs to, across workspaces (memberships are otherwise read per workspace). */
@Injectable()
export class UserWorkspacesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Through the SECURITY DEFINER function workspaces_of_user: it answers for this one person only. */
  async of(userId: string): Promise<UserWorkspace[]> {
    const rows = await sqlRows<{ workspace_id: string; name: string; role: string }>(
      this.dataSource.manager,
      `SELECT * FROM workspaces_of_user($1)`,
      [userId],
    );
    return rows.flatMap((row) => (isRole(row.role) ? [{ id: row.workspace_id, name: row.name, role: row.role }] : []));
  }
}
