import type { PolicyView } from '@rungate/governance';
import { builder } from '../builder.ts';

const json = { type: 'JSON' } as const;

/** Nested settings (budget, routing, ...) are JSON: their keys are the spec's, as on REST. */
export const PolicyRef = builder.objectRef<PolicyView>('Policy').implement({
  description: 'Governance policy: budget, limits, model and tool rules, routing (defaults applied)',
  fields: (t) => ({
    id: t.exposeID('id'),
    org_id: t.exposeString('org_id'),
    workspace_id: t.exposeString('workspace_id', { nullable: true }),
    name: t.exposeString('name'),
    dry_run: t.exposeBoolean('dry_run'),
    content_logging: t.exposeString('content_logging'),
    budget: t.expose('budget', json),
    allowed_models: t.exposeStringList('allowed_models'),
    blocked_models: t.exposeStringList('blocked_models'),
    allowed_tools: t.exposeStringList('allowed_tools'),
    blocked_tools: t.exposeStringList('blocked_tools'),
    require_approval: t.exposeStringList('require_approval'),
    approval_expiry_ms: t.exposeInt('approval_expiry_ms'),
    rate_limits: t.expose('rate_limits', json),
    routing: t.expose('routing', json),
    model_mapping: t.expose('model_mapping', json),
    default_model: t.exposeString('default_model', { nullable: true }),
    model_override: t.exposeString('model_override', { nullable: true }),
    runaway_prevention: t.expose('runaway_prevention', json),
    implicit_run_grouping: t.expose('implicit_run_grouping', json),
    outcome_defaults: t.expose('outcome_defaults', { ...json, nullable: true }),
    visibility: t.exposeString('visibility'),
    member_id: t.exposeString('member_id', { nullable: true }),
    created_by: t.exposeString('created_by', { nullable: true }),
    updated_by: t.exposeString('updated_by', { nullable: true }),
    created_by_token_id: t.exposeString('created_by_token_id', { nullable: true }),
    updated_by_token_id: t.exposeString('updated_by_token_id', { nullable: true }),
    created_at: t.expose('created_at', { type: 'DateTime' }),
    updated_at: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  policies: t.field({
    type: [PolicyRef],
    args: { name: t.arg.string({ description: 'Substring of the name' }) },
    resolve: (_root, args, { services, auth }) => services.policies.list(auth, { name: args.name ?? undefined }),
  }),
  policy: t.field({
    type: PolicyRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { services, auth }) => services.policies.get(auth, String(args.id)),
  }),
}));
