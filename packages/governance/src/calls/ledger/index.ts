export * from './record-step.ts';
export * from './reserve-budget.ts';
export * from './step-writer.ts';
