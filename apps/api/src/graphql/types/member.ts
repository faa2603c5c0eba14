import { type Member, MemberRole, MemberStatus } from '@rungate/contracts';
import { builder } from '../builder.ts';

const MemberRoleEnum = builder.enumType('MemberRole', { values: MemberRole.options });
const MemberStatusEnum = builder.enumType('MemberStatus', { values: MemberStatus.options });

export const MemberRef = builder.objectRef<Member>('Member').implement({
  description: 'A person in the org, with a role',
  fields: (t) => ({
    id: t.exposeID('id'),
    org_id: t.exposeString('org_id'),
    email: t.exposeString('email'),
    display_name: t.exposeString('display_name'),
    role: t.field({ type: MemberRoleEnum, resolve: (m) => m.role }),
    status: t.field({ type: MemberStatusEnum, resolve: (m) => m.status }),
    invited_by: t.string({ nullable: true, resolve: (m) => m.invited_by ?? null }),
    accepted_at: t.field({ type: 'DateTime', nullable: true, resolve: (m) => m.accepted_at ?? null }),
    created_at: t.field({ type: 'DateTime', resolve: (m) => m.created_at }),
    updated_at: t.field({ type: 'DateTime', resolve: (m) => m.updated_at }),
  }),
});

builder.queryField('members', (t) =>
  t.field({
    type: [MemberRef],
    description: 'Current members (removed ones are not listed)',
    resolve: (_root, _args, { services, auth }) => services.members.list(auth),
  }),
);
