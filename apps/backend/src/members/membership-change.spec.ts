import { describe, expect, it } from '@jest/globals';
import type { Role } from '@app/shared';
import { decideMembershipChange, type MembershipChange, type MembershipDecision } from './membership-change.js';

const role = (to: Role): MembershipChange => ({ kind: 'role', to });
const remove: MembershipChange = { kind: 'remove' };

describe('decideMembershipChange', () => {
  it.each<[string, Role, boolean, Role, MembershipChange, number, MembershipDecision['kind']]>([
    // actor, self, member, change, owners → decision
    ['admin promotes an editor to admin', 'admin', false, 'editor', role('admin'), 1, 'apply'],
    ['admin demotes an admin to viewer', 'admin', false, 'admin', role('viewer'), 1, 'apply'],
    ['admin gives the role a member has', 'admin', false, 'editor', role('editor'), 1, 'unchanged'],
    ['admin grants owner', 'admin', false, 'editor', role('owner'), 1, 'forbidden'],
    ['admin demotes an owner', 'admin', false, 'owner', role('admin'), 2, 'forbidden'],
    ['admin makes themselves owner', 'admin', true, 'admin', role('owner'), 1, 'forbidden'],
    ['editor changes a role', 'editor', false, 'viewer', role('editor'), 1, 'forbidden'],
    ['viewer changes their own role', 'viewer', true, 'viewer', role('admin'), 1, 'forbidden'],
    ['owner grants owner', 'owner', false, 'admin', role('owner'), 1, 'apply'],
    ['owner demotes another owner', 'owner', false, 'owner', role('admin'), 2, 'apply'],
    ['owner demotes themselves, another owner left', 'owner', true, 'owner', role('editor'), 2, 'apply'],
    ['last owner demotes themselves', 'owner', true, 'owner', role('admin'), 1, 'conflict'],
    ['admin removes an editor', 'admin', false, 'editor', remove, 1, 'apply'],
    ['admin removes an owner', 'admin', false, 'owner', remove, 2, 'forbidden'],
    ['editor removes a viewer', 'editor', false, 'viewer', remove, 1, 'forbidden'],
    ['viewer leaves', 'viewer', true, 'viewer', remove, 1, 'apply'],
    ['admin leaves', 'admin', true, 'admin', remove, 1, 'apply'],
    ['owner leaves, another owner left', 'owner', true, 'owner', remove, 2, 'apply'],
    ['last owner leaves', 'owner', true, 'owner', remove, 1, 'conflict'],
    ['owner removes another owner', 'owner', false, 'owner', remove, 2, 'apply'],
  ])('%s', (_, actorRole, self, memberRole, change, owners, expected) => {
    expect(decideMembershipChange({ actorRole, self, memberRole, change, owners }).kind).toBe(expected);
  });

  it('names the role a refusal needs', () => {
    expect(
      decideMembershipChange({ actorRole: 'admin', self: false, memberRole: 'owner', change: remove, owners: 2 }),
    ).toEqual({ kind: 'forbidden', message: 'Removing an owner needs the owner role (or higher) in the workspace' });
    expect(
      decideMembershipChange({ actorRole: 'editor', self: false, memberRole: 'viewer', change: remove, owners: 1 }),
    ).toEqual({
      kind: 'forbidden',
      message: 'Removing another member needs the admin role (or higher) in the workspace',
    });
  });
});
