import type { Account } from '@rungate/contracts';
import { builder } from '../builder.ts';

export const AccountRef = builder.objectRef<Account>('Account').implement({
  description: 'The org the caller belongs to',
  fields: (t) => ({
    id: t.exposeID('id'),
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    tier: t.exposeString('tier'),
    status: t.exposeString('status'),
    created_at: t.exposeString('created_at'),
  }),
});

builder.queryField('account', (t) =>
  t.field({ type: AccountRef, resolve: (_root, _args, { services, auth }) => services.accounts.getCurrent(auth) }),
);
