import {
  AlertConditionType,
  type AlertRule,
  AlertRuleStatus,
  IdParams,
  ListAlertRulesQuery,
  Visibility,
} from '@rungate/contracts';
import { parseArgs } from '../args.ts';
import { builder } from '../builder.ts';

const AlertConditionTypeEnum = builder.enumType('AlertConditionType', { values: AlertConditionType.options });
const AlertRuleStatusEnum = builder.enumType('AlertRuleStatus', { values: AlertRuleStatus.options });
const AlertRuleScopeEnum = builder.enumType('AlertRuleScope', { values: Visibility.options });

export const AlertRuleRef = builder.objectRef<AlertRule>('AlertRule').implement({
  description: 'A condition the evaluator checks every minute; firing records an alert.triggered event',
  fields: (t) => ({
    id: t.exposeID('id'),
    org_id: t.string({ nullable: true, resolve: (r) => r.org_id ?? null }),
    name: t.exposeString('name'),
    description: t.string({ nullable: true, resolve: (r) => r.description ?? null }),
    agent_id: t.id({ nullable: true, description: 'Null watches every agent', resolve: (r) => r.agent_id ?? null }),
    condition_type: t.field({ type: AlertConditionTypeEnum, resolve: (r) => r.condition_type }),
    condition_config: t.field({
      type: 'JSON',
      description: 'Thresholds and windows, defaults filled in',
      resolve: (r) => r.condition_config,
    }),
    cooldown_seconds: t.exposeInt('cooldown_seconds'),
    last_triggered_at: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.last_triggered_at ?? null }),
    status: t.field({ type: AlertRuleStatusEnum, resolve: (r) => r.status }),
    scope: t.field({ type: AlertRuleScopeEnum, nullable: true, resolve: (r) => r.scope ?? null }),
    member_id: t.string({ nullable: true, resolve: (r) => r.member_id ?? null }),
    created_by: t.string({ nullable: true, resolve: (r) => r.created_by ?? null }),
    updated_by: t.string({ nullable: true, resolve: (r) => r.updated_by ?? null }),
    created_by_token_id: t.string({ nullable: true, resolve: (r) => r.created_by_token_id ?? null }),
    updated_by_token_id: t.string({ nullable: true, resolve: (r) => r.updated_by_token_id ?? null }),
    created_at: t.field({ type: 'DateTime', resolve: (r) => r.created_at }),
    updated_at: t.field({ type: 'DateTime', resolve: (r) => r.updated_at }),
  }),
});

builder.queryFields((t) => ({
  alertRules: t.field({
    type: [AlertRuleRef],
    args: {
      agent_id: t.arg.id(),
      condition_type: t.arg({ type: AlertConditionTypeEnum }),
      status: t.arg({ type: AlertRuleStatusEnum }),
    },
    resolve: (_root, args, { services, auth }) =>
      services.alertRules.list(
        auth,
        parseArgs(ListAlertRulesQuery, {
          agent_id: args.agent_id === null || args.agent_id === undefined ? undefined : String(args.agent_id),
          condition_type: args.condition_type ?? undefined,
          status: args.status ?? undefined,
        }),
      ),
  }),
  alertRule: t.field({
    type: AlertRuleRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { services, auth }) =>
      services.alertRules.get(auth, parseArgs(IdParams, { id: String(args.id) }).id),
  }),
}));
