import { type Agent, AgentStatus, IdParams, ListAgentsQuery } from '@rungate/contracts';
import { parseArgs } from '../args.ts';
import { builder } from '../builder.ts';

const AgentStatusEnum = builder.enumType('AgentStatus', { values: AgentStatus.options });

export const AgentRef = builder.objectRef<Agent>('Agent').implement({
  description: 'An agent with its own API key, governed by a policy',
  fields: (t) => ({
    id: t.exposeID('id'),
    org_id: t.string({ nullable: true, resolve: (a) => a.org_id ?? null }),
    workspace_id: t.string({ nullable: true, resolve: (a) => a.workspace_id ?? null }),
    name: t.exposeString('name'),
    description: t.string({ nullable: true, resolve: (a) => a.description ?? null }),
    api_key_prefix: t.string({ nullable: true, resolve: (a) => a.api_key_prefix ?? null }),
    policy_id: t.exposeID('policy_id'),
    allowed_policies: t.idList({ nullable: true, resolve: (a) => a.allowed_policies ?? null }),
    provider_keys: t.field({ type: 'JSON', resolve: (a) => a.provider_keys ?? {} }),
    routing_override: t.field({ type: 'JSON', nullable: true, resolve: (a) => a.routing_override ?? null }),
    metadata: t.field({ type: 'JSON', resolve: (a) => a.metadata ?? {} }),
    status: t.field({ type: AgentStatusEnum, resolve: (a) => a.status }),
    member_id: t.string({ nullable: true, resolve: (a) => a.member_id ?? null }),
    created_by: t.string({ nullable: true, resolve: (a) => a.created_by ?? null }),
    updated_by: t.string({ nullable: true, resolve: (a) => a.updated_by ?? null }),
    created_by_token_id: t.string({ nullable: true, resolve: (a) => a.created_by_token_id ?? null }),
    updated_by_token_id: t.string({ nullable: true, resolve: (a) => a.updated_by_token_id ?? null }),
    created_at: t.field({ type: 'DateTime', resolve: (a) => a.created_at }),
    updated_at: t.field({ type: 'DateTime', resolve: (a) => a.updated_at }),
  }),
});

builder.queryFields((t) => ({
  agents: t.field({
    type: [AgentRef],
    args: { status: t.arg({ type: AgentStatusEnum }), policy_id: t.arg.id() },
    resolve: (_root, args, { services, auth }) =>
      services.agents.list(
        auth,
        parseArgs(ListAgentsQuery, { status: args.status ?? undefined, policy_id: args.policy_id ?? undefined }),
      ),
  }),
  agent: t.field({
    type: AgentRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { services, auth }) =>
      services.agents.get(auth, parseArgs(IdParams, { id: String(args.id) }).id),
  }),
}));
