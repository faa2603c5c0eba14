import { builder } from './builder.ts';
import './types/account.ts';
import './types/policy.ts';
import './types/provider-key.ts';
import './types/agent.ts';
import './types/run.ts';

export const schema = builder.toSchema({ sortSchema: true });
