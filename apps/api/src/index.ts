export { type ApiApp, type AppOptions, buildApp } from './app.ts';
export type { AppRouter } from './trpc/router.ts';
