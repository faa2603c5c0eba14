import type { WireAdapter } from '../types.ts';
import { openAIHeaders, openAIUrl } from './endpoint.ts';
import { openAIMockResponse, openAIMockStream } from './mock.ts';
import { inspectOpenAIRequest, prepareOpenAIRequest } from './request.ts';
import { summarizeOpenAIResponse } from './response.ts';
import { createOpenAIStreamTransformer } from './stream.ts';

/** OpenAI Chat Completions, the format of every provider except Anthropic. */
export const openAIAdapter: WireAdapter = {
  format: 'openai',
  url: openAIUrl,
  headers: openAIHeaders,
  inspectRequest: inspectOpenAIRequest,
  prepareRequest: prepareOpenAIRequest,
  summarizeResponse: summarizeOpenAIResponse,
  createStreamTransformer: createOpenAIStreamTransformer,
  mockResponse: openAIMockResponse,
  mockStream: openAIMockStream,
};
