export { type BaseAppOptions, buildBaseApp } from './app.ts';
export { defineRoute, type RouteInput, WithStatus } from './define-route.ts';
export * from './env.ts';
export * from './error-bodies.ts';
export { registerErrorHandler, toErrorResponse } from './error-handler.ts';
export { operationSchema, type Parsed } from './operation-schema.ts';
export { closeOnSignals } from './shutdown.ts';
