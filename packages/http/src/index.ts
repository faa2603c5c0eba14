export { buildBaseApp, type BaseAppOptions } from './app.ts';
export { registerErrorHandler, toErrorResponse } from './error-handler.ts';
export * from './error-bodies.ts';
export { operationSchema, type Parsed } from './operation-schema.ts';
export { defineRoute, type RouteInput, WithStatus } from './define-route.ts';
export { closeOnSignals } from './shutdown.ts';
export * from './env.ts';
