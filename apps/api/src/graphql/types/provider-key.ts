import { type ProviderKey, ProviderKeyStatus, Uuid } from '@rungate/contracts';
import { invalid } from '@rungate/governance';
import { builder } from '../builder.ts';

const ProviderKeyStatusEnum = builder.enumType('ProviderKeyStatus', { values: ProviderKeyStatus.options });

export const ProviderKeyRef = builder.objectRef<ProviderKey>('ProviderKey').implement({
  description: 'An upstream provider API key; the secret is only ever shown masked',
  fields: (t) => ({
    id: t.exposeID('id'),
    provider: t.exposeString('provider'),
    name: t.exposeString('name'),
    api_key: t.exposeString('api_key', { nullable: true, description: 'Masked; null once deleted' }),
    base_url: t.string({ nullable: true, resolve: (key) => key.base_url ?? null }),
    status: t.field({ type: ProviderKeyStatusEnum, resolve: (key) => key.status }),
    last_used_at: t.field({ type: 'DateTime', nullable: true, resolve: (key) => key.last_used_at ?? null }),
    rotated_at: t.field({ type: 'DateTime', nullable: true, resolve: (key) => key.rotated_at ?? null }),
    created_at: t.expose('created_at', { type: 'DateTime' }),
    updated_at: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  providerKeys: t.field({
    type: [ProviderKeyRef],
    description: 'Without a status, active and disabled keys',
    args: { status: t.arg({ type: ProviderKeyStatusEnum }), provider: t.arg.string() },
    resolve: (_root, args, { services, auth }) =>
      services.providerKeys.list(auth, { status: args.status ?? undefined, provider: args.provider ?? undefined }),
  }),
  providerKey: t.field({
    type: ProviderKeyRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { services, auth }) => {
      const id = Uuid.safeParse(String(args.id));
      if (!id.success) throw invalid('id must be a uuid', { id: 'Must be a uuid' });
      return services.providerKeys.get(auth, id.data);
    },
  }),
}));
