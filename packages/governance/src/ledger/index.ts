export * from './record-step.ts';
export * from './reserve-budget.ts';
