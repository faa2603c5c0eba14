import type { WireAdapter } from '../types.ts';
import { anthropicHeaders, anthropicUrl } from './endpoint.ts';
import { anthropicMockResponse, anthropicMockStream } from './mock.ts';
import { inspectAnthropicRequest, prepareAnthropicRequest } from './request.ts';
import { summarizeAnthropicResponse } from './response.ts';
import { createAnthropicStreamTransformer } from './stream.ts';

/** Anthropic Messages. */
export const anthropicAdapter: WireAdapter = {
  format: 'anthropic',
  url: anthropicUrl,
  headers: anthropicHeaders,
  inspectRequest: inspectAnthropicRequest,
  prepareRequest: prepareAnthropicRequest,
  summarizeResponse: summarizeAnthropicResponse,
  createStreamTransformer: createAnthropicStreamTransformer,
  mockResponse: anthropicMockResponse,
  mockStream: anthropicMockStream,
};
