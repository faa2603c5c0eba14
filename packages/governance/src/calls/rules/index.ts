export * from './budget.ts';
export * from './decision.ts';
export { globMatch } from './glob.ts';
export * from './models.ts';
export * from './runaway.ts';
export * from './tools.ts';
