import { z } from 'zod';
import { type ComponentName, componentSchemas, inputComponentNames } from './components.ts';
import type { Operation, OperationAuth } from './operation.ts';
import { allOperations } from './operations.ts';

/** A JSON Schema / OpenAPI 3.1 schema object as plain data. */
export type JsonSchema = { [key: string]: unknown };

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  content?: Record<string, { schema: JsonSchema }>;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  tags: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, OpenApiResponse>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; description: string; version: string; license: { name: string } };
  servers: Array<{ url: string; description: string }>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; description: string }>;
  };
}

const componentRef = (name: string) => `#/components/schemas/${name}`;
const INLINE_PREFIX = '#/x-inline/';

const tags = [
  { name: 'Health', description: 'Health, this document and integration guides' },
  { name: 'ProviderKeys', description: 'Upstream provider API keys' },
  { name: 'Policies', description: 'Budgets, rate limits, model and tool rules, routing' },
  { name: 'Agents', description: 'Agents and their API keys' },
  { name: 'Runs', description: 'Runs, their steps and ledger' },
  { name: 'Analytics', description: 'Cost, latency, error and run analytics; data cleanup' },
  { name: 'Providers', description: 'Provider circuit-breaker health' },
  { name: 'Webhooks', description: 'Event subscriptions and deliveries' },
  { name: 'Approvals', description: 'Human decisions on tool use' },
  { name: 'AlertRules', description: 'Alert conditions' },
  { name: 'AdminTokens', description: 'Scoped admin API tokens' },
  { name: 'Accounts', description: 'The caller’s own account' },
  { name: 'Registration', description: 'Self-service sign-up' },
  { name: 'Invitations', description: 'Invitations to an org' },
  { name: 'Members', description: 'Org members and roles' },
  { name: 'Sessions', description: 'Dashboard sessions' },
  { name: 'Auth', description: 'Magic-link sign-in and registration completion' },
  { name: 'Proxy', description: 'Governed LLM calls and run completion for agents' },
  { name: 'Agent', description: 'What an agent can ask about itself' },
];

const securityByAuth: Record<OperationAuth, Array<Record<string, string[]>> | undefined> = {
  dashboard: [{ DashboardAuth: [] }],
  agent: [{ AgentApiKey: [] }],
  none: undefined,
};

const statusDescriptions: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
  400: 'Validation error',
  401: 'Authentication required',
  402: 'Budget exceeded',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  410: 'Gone',
  429: 'Rate limited',
  502: 'Provider error',
  503: 'Service unavailable',
};

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Trims zod's generator noise: regexes next to a format, safe-integer bounds, closed output objects. */
const tidy = (ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }) => {
  const { jsonSchema, zodSchema } = ctx;
  if (typeof jsonSchema.format === 'string') delete jsonSchema.pattern;
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
  const def = zodSchema._zod.def;
  if (def.type === 'object' && jsonSchema.additionalProperties === false && def.catchall?._zod.def.type !== 'never') {
    delete jsonSchema.additionalProperties;
  }
};

/**
 * Renders a set of zod schemas with one io mode. Components become `$ref`s; every other
 * schema gets a private id and is inlined where it is used.
 */
class SchemaRenderer {
  private readonly registry = z.registry<{ id: string }>();
  private readonly ids = new Map<z.ZodType, string>();
  private rendered: Record<string, JsonSchema> | undefined;

  constructor(
    private readonly io: 'input' | 'output',
    components: ReadonlyArray<readonly [string, z.ZodType]>,
  ) {
    for (const [name, schema] of components) {
      this.registry.add(schema, { id: name });
      this.ids.set(schema, componentRef(name));
    }
  }

  /** Registers a schema; call `render` after all `track` calls. */
  track(schema: z.ZodType): void {
    if (this.ids.has(schema)) return;
    const id = `s${this.ids.size}`;
    this.registry.add(schema, { id });
    this.ids.set(schema, `${INLINE_PREFIX}${id}`);
  }

  render(): void {
    const { schemas } = z.toJSONSchema(this.registry, {
      target: 'draft-2020-12',
      io: this.io,
      unrepresentable: 'any',
      uri: (id) => (id.startsWith('s') && /^s\d+$/.test(id) ? `${INLINE_PREFIX}${id}` : componentRef(id)),
      override: tidy,
    });
    this.rendered = {};
    for (const [id, schema] of Object.entries(schemas)) {
      const { $schema: _schema, $id: _id, ...rest } = schema as JsonSchema;
      this.rendered[id] = rest;
    }
  }

  component(name: string): JsonSchema {
    return this.inline(this.output()[name] ?? {});
  }

  /** The schema as used in an operation: a component `$ref`, or the inlined schema. */
  use(schema: z.ZodType): JsonSchema {
    const ref = this.ids.get(schema);
    if (ref === undefined) throw new Error('schema was not tracked before render()');
    if (ref.startsWith(INLINE_PREFIX)) return this.inline({ $ref: ref });
    return { $ref: ref };
  }

  private output(): Record<string, JsonSchema> {
    if (this.rendered === undefined) throw new Error('render() has not run');
    return this.rendered;
  }

  private inline(node: JsonSchema): JsonSchema {
    const walk = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(walk);
      if (!isObject(value)) return value;
      const ref = value.$ref;
      if (typeof ref === 'string' && ref.startsWith(INLINE_PREFIX)) {
        const target = this.output()[ref.slice(INLINE_PREFIX.length)] ?? {};
        const { $ref: _ref, ...siblings } = value;
        return { ...(walk(target) as JsonSchema), ...siblings };
      }
      return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, walk(child)]));
    };
    return walk(node) as JsonSchema;
  }
}

const unwrapOptional = (schema: z.ZodType): { schema: z.ZodType; required: boolean } =>
  schema instanceof z.ZodOptional
    ? { schema: schema.unwrap() as z.ZodType, required: false }
    : { schema, required: true };

const parametersOf = (rendered: JsonSchema, location: OpenApiParameter['in']): OpenApiParameter[] => {
  const properties = isObject(rendered.properties) ? rendered.properties : {};
  const required = new Set(Array.isArray(rendered.required) ? rendered.required : []);
  return Object.entries(properties).map(([name, value]) => {
    const { description, ...schema } = isObject(value) ? value : {};
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema,
    };
  });
};

/** The OpenAPI 3.1 document of the whole API, generated from the zod contracts. */
export function buildOpenApiDocument(operationList: readonly Operation[] = allOperations): OpenApiDocument {
  const entries = Object.entries(componentSchemas) as Array<[ComponentName, z.ZodType]>;
  const inputs = new SchemaRenderer('input', entries);
  const outputs = new SchemaRenderer('output', entries);

  for (const operation of operationList) {
    for (const part of [operation.params, operation.query, operation.headers]) if (part) inputs.track(part);
    if (operation.body) inputs.track(unwrapOptional(operation.body).schema);
    for (const schema of Object.values(operation.responses)) if (schema) outputs.track(schema);
  }
  inputs.render();
  outputs.render();

  const paths: OpenApiDocument['paths'] = {};
  for (const operation of operationList) {
    const parameters = [
      ...(operation.params ? parametersOf(inputs.use(operation.params), 'path') : []),
      ...(operation.query ? parametersOf(inputs.use(operation.query), 'query') : []),
      ...(operation.headers ? parametersOf(inputs.use(operation.headers), 'header') : []),
    ];
    const body = operation.body ? unwrapOptional(operation.body) : undefined;
    const responses: Record<string, OpenApiResponse> = {};
    for (const [status, schema] of Object.entries(operation.responses)) {
      const code = Number(status);
      const mediaType =
        code === operation.successStatus && operation.successContentType
          ? operation.successContentType
          : 'application/json';
      responses[status] = {
        description: statusDescriptions[code] ?? 'Response',
        ...(schema ? { content: { [mediaType]: { schema: outputs.use(schema) } } } : {}),
      };
    }
    const security = securityByAuth[operation.auth];
    const pathItem = paths[operation.path] ?? {};
    paths[operation.path] = pathItem;
    pathItem[operation.method.toLowerCase()] = {
      operationId: operation.operationId,
      summary: operation.summary,
      tags: [operation.tag],
      ...(security ? { security } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(body
        ? {
            requestBody: {
              required: body.required,
              content: { 'application/json': { schema: inputs.use(body.schema) } },
            },
          }
        : {}),
      responses,
    };
  }

  const schemas: Record<string, JsonSchema> = {};
  for (const [name] of entries) {
    schemas[name] = (inputComponentNames.has(name) ? inputs : outputs).component(name);
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Rungate API',
      description: 'Governance proxy and control plane for AI agents’ LLM traffic.',
      version: '0.1.0',
      license: { name: 'MIT' },
    },
    servers: [{ url: '/', description: 'This server' }],
    tags,
    paths,
    components: {
      schemas,
      securitySchemes: {
        DashboardAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'Admin token (rg_adm_...) or the dashboard session cookie',
        },
        AgentApiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'Agent API key (rg_sk_...); the x-api-key header works too',
        },
      },
    },
  };
}
