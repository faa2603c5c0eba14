import { builder } from './builder.ts';
import './types/account.ts';

export const schema = builder.toSchema({ sortSchema: true });
