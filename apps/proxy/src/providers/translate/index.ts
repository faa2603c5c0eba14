import { adapterFor } from '../registry.ts';
import type { JsonObject, StreamOptions, StreamTransformer, WireFormat } from '../types.ts';
import { anthropicErrorBody, openAIErrorBody } from './error-bodies.ts';
import { openAIRequestToAnthropic } from './request-to-anthropic.ts';
import { anthropicRequestToOpenAI, type MaxTokensField } from './request-to-openai.ts';
import { openAIResponseToAnthropic } from './response-to-anthropic.ts';
import { anthropicResponseToOpenAI } from './response-to-openai.ts';
import { createOpenAIToAnthropicStream } from './stream-to-anthropic.ts';
import { createAnthropicToOpenAIStream } from './stream-to-openai.ts';

export { DEFAULT_ANTHROPIC_MAX_TOKENS } from './request-to-anthropic.ts';
export type { MaxTokensField } from './request-to-openai.ts';

export interface TranslateOptions {
  /**
   * Anthropic client to OpenAI-format provider: the output-limit field the provider understands
   * (the registry's `maxTokensField`). Default `max_tokens`.
   */
  maxTokensField?: MaxTokensField;
  /** Unix seconds for OpenAI's `created`; defaults to now. */
  now?: () => number;
}

/**
 * Serves a client of one wire format from a provider of another. Between equal formats every
 * method is the identity (the stream is the provider adapter's own transformer).
 */
export interface Translator {
  readonly clientFormat: WireFormat;
  readonly providerFormat: WireFormat;
  /** True when the formats differ and bodies are rewritten. */
  readonly translates: boolean;
  /** The client's request body (control fields already split off) in the provider's format. */
  request(body: JsonObject): JsonObject;
  /** The provider's non-streaming success body in the client's format. */
  response(body: JsonObject): JsonObject;
  /** The provider's error body (`{ error: { type, message } }` in either format) in the client's format. */
  errorBody(body: JsonObject): JsonObject;
  /**
   * Re-encodes the provider's SSE stream in the client's format. `clientWantsUsage` is the
   * client's own wish (the client adapter's `prepareRequest(...).clientWantsUsage`), not the
   * provider's: the provider is always asked for usage. The report describes the provider's stream.
   */
  stream(options: StreamOptions): StreamTransformer;
}

const unixSeconds = () => Math.floor(Date.now() / 1000);
const same = (body: JsonObject) => body;

export function translatorFor(
  clientFormat: WireFormat,
  providerFormat: WireFormat,
  options: TranslateOptions = {},
): Translator {
  const base = { clientFormat, providerFormat, translates: clientFormat !== providerFormat };
  const now = options.now ?? unixSeconds;
  if (clientFormat === providerFormat) {
    const adapter = adapterFor(providerFormat);
    return {
      ...base,
      request: same,
      response: same,
      errorBody: same,
      stream: (o) => adapter.createStreamTransformer(o),
    };
  }
  if (clientFormat === 'openai') {
    return {
      ...base,
      request: openAIRequestToAnthropic,
      response: (body) => anthropicResponseToOpenAI(body, now()),
      errorBody: openAIErrorBody,
      stream: (o) => createAnthropicToOpenAIStream(o, now()),
    };
  }
  return {
    ...base,
    request: (body) => anthropicRequestToOpenAI(body, options.maxTokensField),
    response: openAIResponseToAnthropic,
    errorBody: anthropicErrorBody,
    stream: createOpenAIToAnthropicStream,
  };
}
