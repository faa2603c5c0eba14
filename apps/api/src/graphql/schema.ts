import { printSchema } from 'graphql';
import { builder } from './builder.ts';
import './types/account.ts';
import './types/policy.ts';
import './types/provider-key.ts';
import './types/agent.ts';
import './types/run.ts';
import './types/webhook.ts';
import './types/alert-rule.ts';
import './types/member.ts';

export const schema = builder.toSchema({ sortSchema: true });

/** The schema in SDL, as committed in apps/api/schema.graphql. */
export const printedSchema = (): string => `${printSchema(schema)}\n`;
