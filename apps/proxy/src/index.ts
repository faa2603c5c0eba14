export { buildProxyApp, registerProxy } from './app.ts';
export type { ProxyOptions } from './options.ts';
export { registerErrorHandler, toErrorResponse } from './http/error-handler.ts';
export { operationSchema, type Parsed } from './http/operation-schema.ts';
export * from './providers/types.ts';
export * from './providers/control-fields.ts';
export * from './providers/errors.ts';
export * from './providers/registry.ts';
export { DRY_RUN_TEXT } from './providers/dry-run.ts';
export { SseEventParser, SseLineSplitter, type SseEvent } from './providers/sse.ts';
export { openAIAdapter } from './providers/openai/index.ts';
export { openAIUsage } from './providers/openai/usage.ts';
export { anthropicAdapter } from './providers/anthropic/index.ts';
export { anthropicUsage, mergeAnthropicUsage } from './providers/anthropic/usage.ts';
export {
  translatorFor,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  type Translator,
  type TranslateOptions,
  type MaxTokensField,
} from './providers/translate/index.ts';
export { closeOnSignals } from './shutdown.ts';
