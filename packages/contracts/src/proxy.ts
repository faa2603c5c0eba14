import { z } from 'zod';
import { dataEnvelope, IdParams, JsonObject, Uuid } from './common.ts';
import { ErrorResponse, GovernanceBlockResponse, ProviderErrorResponse, ProxyAuthError } from './errors.ts';
import { defineOperation } from './operation.ts';
import { RunCompletionInput, RunCompletionResponse, Step } from './runs.ts';

/**
 * Run controls an agent may send as headers (or as top-level body fields; headers win).
 * Loose: every other header passes through.
 */
export const RungateRequestHeaders = z.looseObject({
  'x-rungate-run-id': z.string().optional().describe('Attach the call to this run'),
  'x-rungate-run-policy': z.string().optional().describe('Policy name or id for this run'),
  'x-rungate-run-name': z.string().optional().describe('Run name, set by the first call'),
  'x-rungate-run-metadata': z.string().optional().describe('JSON object of run metadata'),
  'x-rungate-new-run': z.literal('true').optional().describe('Complete running runs and start a new one'),
});
export type RungateRequestHeaders = z.infer<typeof RungateRequestHeaders>;

/** Names of the response headers the proxy sets. */
export const rungateResponseHeaders = [
  'X-Rungate-Run-Id',
  'X-Rungate-Step-Id',
  'X-Rungate-Provider',
  'X-Rungate-Model',
  'X-Rungate-Tokens-Used',
  'X-Rungate-Cost-Usd',
  'X-Rungate-Budget-Remaining-Usd',
  'X-Rungate-Budget-Remaining-Tokens',
  'X-Rungate-Model-Override',
  'X-Rungate-Policy-Fallback',
  'X-Rungate-Policy-Fallback-Reason',
] as const;

/** Provider wire-format body; forwarded as is, minus our x-rungate-* fields. */
export const ChatCompletionsRequest = z.looseObject({}).describe('OpenAI Chat Completions request');
export const ChatCompletionsResponse = z.looseObject({}).describe('OpenAI Chat Completions response');
export const MessagesRequest = z.looseObject({}).describe('Anthropic Messages request');
export const MessagesResponse = z.looseObject({}).describe('Anthropic Messages response');

export const AwaitingApprovalResponse = z
  .object({
    status: z.literal('awaiting_approval'),
    approval_requests: z.array(z.object({ id: Uuid, tool: z.string() })),
    run_id: Uuid,
    message: z.string(),
  })
  .describe('The call offers tools that need approval; retry with the run id once decided');
export type AwaitingApprovalResponse = z.infer<typeof AwaitingApprovalResponse>;

export const CompleteAllRunsInput = z.object({
  ended_reason: z.string().min(1).max(255).default('agent_complete_all'),
});
export type CompleteAllRunsInput = z.infer<typeof CompleteAllRunsInput>;

export const CompleteAllRunsResult = z.object({
  completed_count: z.number().int(),
  completed_run_ids: z.array(Uuid),
});
export type CompleteAllRunsResult = z.infer<typeof CompleteAllRunsResult>;

const tokenCount = z.number().int().nonnegative().default(0);

export const CreateToolStepInput = z
  .object({
    type: z.literal('tool_call'),
    name: z.string().min(1).describe('Tool name, e.g. web_search'),
    provider: z.string().min(1).default('sdk'),
    request: JsonObject.optional(),
    response: JsonObject.optional(),
    tokens: z
      .object({
        input: tokenCount,
        output: tokenCount,
        cache_read: tokenCount,
        cache_creation: tokenCount,
      })
      .prefault({})
      .describe('Missing counts are 0'),
    cost_usd: z.number().nonnegative().default(0),
    latency_ms: z.number().nonnegative().optional(),
    status: z.enum(['success', 'error', 'timeout']),
    error_message: z.string().optional(),
  })
  .describe('A non-LLM tool call logged as a step');
export type CreateToolStepInput = z.infer<typeof CreateToolStepInput>;

const proxyResponses = {
  202: AwaitingApprovalResponse,
  401: ProxyAuthError,
  402: GovernanceBlockResponse,
  403: GovernanceBlockResponse,
  429: GovernanceBlockResponse,
  502: ProviderErrorResponse,
};

const tag = 'Proxy';
const auth = 'agent';

export const proxyOperations = {
  chatCompletions: defineOperation({
    operationId: 'proxyChatCompletions',
    method: 'POST',
    path: '/v1/chat/completions',
    tag,
    summary: 'Proxy: OpenAI Chat Completions',
    auth,
    headers: RungateRequestHeaders,
    body: ChatCompletionsRequest,
    responses: { 200: ChatCompletionsResponse, ...proxyResponses },
    successStatus: 200,
  }),
  messages: defineOperation({
    operationId: 'proxyMessages',
    method: 'POST',
    path: '/v1/messages',
    tag,
    summary: 'Proxy: Anthropic Messages',
    auth,
    headers: RungateRequestHeaders,
    body: MessagesRequest,
    responses: { 200: MessagesResponse, ...proxyResponses },
    successStatus: 200,
  }),
  completeAllRuns: defineOperation({
    operationId: 'completeAllRuns',
    method: 'POST',
    path: '/v1/runs/complete-all',
    tag,
    summary: 'Complete all running runs',
    auth,
    body: CompleteAllRunsInput.optional(),
    responses: { 200: CompleteAllRunsResult, 401: ProxyAuthError },
    successStatus: 200,
  }),
  completeCurrentRun: defineOperation({
    operationId: 'completeCurrentRun',
    method: 'POST',
    path: '/v1/runs/current/complete',
    tag,
    summary: 'Complete current run',
    auth,
    body: RunCompletionInput.optional(),
    responses: { 200: RunCompletionResponse, 401: ProxyAuthError, 403: GovernanceBlockResponse, 404: ErrorResponse },
    successStatus: 200,
  }),
  completeRun: defineOperation({
    operationId: 'completeRun',
    method: 'POST',
    path: '/v1/runs/{id}/complete',
    tag,
    summary: 'Complete a specific run',
    auth,
    params: IdParams,
    body: RunCompletionInput.optional(),
    responses: {
      200: RunCompletionResponse,
      401: ProxyAuthError,
      403: ErrorResponse,
      404: ErrorResponse,
      409: ErrorResponse,
    },
    successStatus: 200,
  }),
  createRunStep: defineOperation({
    operationId: 'createRunStep',
    method: 'POST',
    path: '/v1/runs/{id}/steps',
    tag,
    summary: 'Create a tool_call step in a run',
    auth,
    params: IdParams,
    body: CreateToolStepInput,
    responses: {
      201: dataEnvelope(Step),
      400: ErrorResponse,
      401: ProxyAuthError,
      403: ErrorResponse,
      404: ErrorResponse,
      409: ErrorResponse,
    },
    successStatus: 201,
  }),
};
