import { z } from 'zod';
import { ErrorResponse } from './errors.ts';
import { defineOperation } from './operation.ts';

export const HealthResponse = z
  .object({
    status: z
      .enum(['healthy', 'unhealthy'])
      .describe("'unhealthy' (a Rungate addition to the spec) comes with 503 while the database is unreachable"),
    version: z.string(),
    uptime_seconds: z.number().int(),
    storage: z.enum(['connected', 'error']),
    agents_count: z.number().int(),
    active_runs: z.number().int(),
    redis: z
      .enum(['connected', 'degraded'])
      .optional()
      .describe(
        'A Rungate addition, present when Redis is configured: degraded while Redis is unreachable and limits and breakers run on per-process state',
      ),
  })
  .describe('Server health; a bare object, no data envelope');
export type HealthResponse = z.infer<typeof HealthResponse>;

export const OpenApiDocumentResponse = z.record(z.string(), z.unknown()).describe('The OpenAPI 3.1 document');

export const GuideParams = z.object({
  name: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/)
    .describe('Guide name: setup, core-tests, advanced-tests or reference'),
});

export const healthOperations = {
  get: defineOperation({
    operationId: 'getHealth',
    method: 'GET',
    path: '/health',
    tag: 'Health',
    summary: 'Health check',
    auth: 'none',
    responses: { 200: HealthResponse, 503: HealthResponse },
    successStatus: 200,
  }),
  openApiDocument: defineOperation({
    operationId: 'getOpenAPISpec',
    method: 'GET',
    path: '/api/openapi.json',
    tag: 'Health',
    summary: 'OpenAPI specification',
    auth: 'none',
    responses: { 200: OpenApiDocumentResponse },
    successStatus: 200,
  }),
  guide: defineOperation({
    operationId: 'getIntegrationGuide',
    method: 'GET',
    path: '/docs/guides/{name}',
    tag: 'Health',
    summary: 'Integration guide',
    auth: 'none',
    params: GuideParams,
    responses: { 200: z.string().describe('Markdown'), 404: ErrorResponse },
    successStatus: 200,
    successContentType: 'text/markdown',
  }),
};
