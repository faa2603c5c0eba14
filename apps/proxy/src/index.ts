export { buildProxyApp, registerProxy } from './app.ts';
export type { ProxyOptions } from './options.ts';
