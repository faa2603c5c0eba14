export { type AppOptions, type ApiApp, buildApp } from './app.ts';
export type { AppRouter } from './trpc/router.ts';
