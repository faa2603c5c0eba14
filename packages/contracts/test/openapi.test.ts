import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { allOperations, buildOpenApiDocument, type OpenApiDocument } from '../src/index.ts';

type Json = { [key: string]: unknown };

/** The project's own document, as served at `GET /api/openapi.json`; `npm run openapi` rewrites it. */
const committedUrl = new URL('../openapi.json', import.meta.url);
const committedText = readFileSync(committedUrl, 'utf8');
const committed = JSON.parse(committedText) as OpenApiDocument;

/** The reference spec, beside the repository where CI has it; the comparisons with it need it. */
const specUrl = new URL('../../../../shared/spec/openapi.json', import.meta.url);
const hasSpec = existsSync(specUrl);
if (!hasSpec) {
  console.warn(
    `Skipping the comparison with the reference spec: ${fileURLToPath(specUrl)} does not exist ` +
      '(CI provides it). The committed packages/contracts/openapi.json is still checked against the code.',
  );
}
const spec = (hasSpec ? JSON.parse(readFileSync(specUrl, 'utf8')) : { paths: {}, components: { schemas: {} } }) as {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json> };
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const specOperations = Object.entries(spec.paths).flatMap(([path, item]) =>
  METHODS.filter((method) => item[method]).map((method) => ({ path, method, op: item[method] as Json })),
);

/** Follows `#/components/schemas/X` refs inside one document. */
const resolver = (doc: { components: { schemas: Record<string, unknown> } }) => {
  const resolve = (schema: unknown, seen = 0): Json => {
    if (!isObject(schema)) return {};
    const ref = schema.$ref;
    if (typeof ref === 'string' && seen < 20) {
      const name = ref.replace('#/components/schemas/', '');
      return resolve(doc.components.schemas[name], seen + 1);
    }
    return schema;
  };
  return resolve;
};

/** Alternatives of a schema (anyOf/oneOf members, or itself), resolved. */
const variants = (schema: Json, resolve: (s: unknown) => Json): Json[] => {
  const alternatives = [...asArray(schema.anyOf), ...asArray(schema.oneOf)];
  if (alternatives.length === 0) return [schema];
  return alternatives.flatMap((alt) => variants(resolve(alt), resolve));
};

/** allOf members merged with the schema itself. */
const merged = (schema: Json, resolve: (s: unknown) => Json): Json[] => [
  schema,
  ...asArray(schema.allOf).flatMap((part) => merged(resolve(part), resolve)),
];

const typesOf = (schema: Json, resolve: (s: unknown) => Json): Set<string> | 'any' => {
  const types = new Set<string>();
  for (const variant of variants(schema, resolve)) {
    for (const part of merged(variant, resolve)) {
      const type = part.type;
      if (typeof type === 'string') types.add(type);
      for (const t of asArray(type)) if (typeof t === 'string') types.add(t);
      if (part.const === null) types.add('null');
      if (asArray(part.enum).includes(null)) types.add('null');
    }
  }
  if (types.size === 0) return 'any';
  if (types.has('number')) types.add('integer');
  if (types.has('integer')) types.add('number');
  return types;
};

const propertiesOf = (schema: Json, resolve: (s: unknown) => Json): Map<string, Json[]> => {
  const properties = new Map<string, Json[]>();
  for (const variant of variants(schema, resolve)) {
    for (const part of merged(variant, resolve)) {
      if (!isObject(part.properties)) continue;
      for (const [name, value] of Object.entries(part.properties)) {
        properties.set(name, [...(properties.get(name) ?? []), resolve(value)]);
      }
    }
  }
  return properties;
};

const childOf = (schema: Json, key: 'items' | 'additionalProperties', resolve: (s: unknown) => Json): Json[] =>
  variants(schema, resolve)
    .flatMap((variant) => merged(variant, resolve))
    .map((part) => part[key])
    .filter(isObject)
    .map((child) => resolve(child));

const resolveSpec = resolver(spec);

/** Problems where the generated schema cannot hold what the spec schema describes. */
function compare(
  specSchema: Json,
  generatedSchema: Json,
  resolveGenerated: (s: unknown) => Json,
  at: string,
): string[] {
  const problems: string[] = [];
  const walk = (specNode: Json, generatedNodes: Json[], path: string, depth: number) => {
    if (depth > 12) return;
    const generatedTypes = generatedNodes.map((node) => typesOf(node, resolveGenerated));
    const specTypes = typesOf(specNode, resolveSpec);
    if (specTypes !== 'any' && !generatedTypes.includes('any')) {
      const union = new Set(generatedTypes.flatMap((types) => (types === 'any' ? [] : [...types])));
      for (const type of specTypes) {
        if (!union.has(type)) problems.push(`${path}: spec type ${type} not accepted (have ${[...union].join('|')})`);
      }
    }
    if (generatedTypes.includes('any')) return;

    const generatedProperties = new Map<string, Json[]>();
    for (const node of generatedNodes) {
      for (const [name, schemas] of propertiesOf(node, resolveGenerated)) {
        generatedProperties.set(name, [...(generatedProperties.get(name) ?? []), ...schemas]);
      }
    }
    for (const [name, specChildren] of propertiesOf(specNode, resolveSpec)) {
      const generatedChildren = generatedProperties.get(name);
      if (!generatedChildren) {
        problems.push(`${path}.${name}: missing`);
        continue;
      }
      for (const specChild of specChildren) walk(specChild, generatedChildren, `${path}.${name}`, depth + 1);
    }
    for (const key of ['items', 'additionalProperties'] as const) {
      const specChildren = childOf(specNode, key, resolveSpec);
      const generatedChildren = generatedNodes.flatMap((node) => childOf(node, key, resolveGenerated));
      if (specChildren.length === 0 || generatedChildren.length === 0) continue;
      for (const specChild of specChildren) walk(specChild, generatedChildren, `${path}[${key}]`, depth + 1);
    }
  };
  walk(resolveSpec(specSchema), [resolveGenerated(generatedSchema)], at, 0);
  return problems;
}

describe('committed OpenAPI document (packages/contracts/openapi.json)', () => {
  const doc = committed;
  const resolveGenerated = resolver(doc);
  const generatedOperation = (path: string, method: string): Json | undefined =>
    doc.paths[path]?.[method] as Json | undefined;

  it('is the document the code builds', () => {
    const stale =
      'packages/contracts/openapi.json is out of date: run `npm run openapi -w @rungate/contracts` and commit it';
    const built = buildOpenApiDocument();
    expect(committed, stale).toEqual(built);
    expect(committedText, stale).toBe(`${JSON.stringify(built, null, 2)}\n`);
  });

  it('has the document header and security schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Rungate API', version: '0.1.0', license: { name: 'MIT' } });
    expect(doc.components.securitySchemes.DashboardAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.AgentApiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('has every operation of the contracts once, and nothing else', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const declared = allOperations.map((op) => `${op.method} ${op.path}`);
    expect(new Set(declared).size).toBe(declared.length);
    expect(documented.toSorted()).toEqual(declared.toSorted());
  });

  it('refers only to component schemas it defines', () => {
    const refs = [...committedText.matchAll(/"\$ref": "([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    const dangling = [...new Set(refs)].filter(
      (ref) =>
        !(
          ref.startsWith('#/components/schemas/') && ref.slice('#/components/schemas/'.length) in doc.components.schemas
        ),
    );
    expect(dangling).toEqual([]);
  });

  it('the comparison reports missing properties and narrower types', () => {
    const specSchema = {
      type: 'object',
      properties: {
        id: { type: 'string' },
        ended_at: { type: ['string', 'null'] },
        tokens: { type: 'object', properties: { input: { type: 'integer' } } },
      },
    };
    const generated = {
      type: 'object',
      properties: {
        ended_at: { type: 'string' },
        tokens: { type: 'object', properties: {} },
      },
    };
    expect(compare(specSchema, generated, resolveGenerated, 'X')).toEqual([
      'X.id: missing',
      'X.ended_at: spec type null not accepted (have string)',
      'X.tokens.input: missing',
    ]);
    const nullableAnyOf = {
      type: 'object',
      properties: { ended_at: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
    };
    expect(
      compare(
        { type: 'object', properties: { ended_at: { type: ['string', 'null'] } } },
        nullableAnyOf,
        resolveGenerated,
        'Y',
      ),
    ).toEqual([]);
  });

  it('serves the markdown guide as text/markdown', () => {
    const guide = generatedOperation('/docs/guides/{name}', 'get');
    expect(Object.keys((guide!.responses as Record<string, Json>)['200']!.content as Json)).toEqual(['text/markdown']);
  });
});

describe.skipIf(!hasSpec)('generated OpenAPI document against the reference spec (../shared/spec/openapi.json)', () => {
  let doc: OpenApiDocument;
  let resolveGenerated: (schema: unknown) => Json;
  const generatedOperation = (path: string, method: string): Json | undefined =>
    doc.paths[path]?.[method] as Json | undefined;

  beforeAll(() => {
    doc = buildOpenApiDocument();
    resolveGenerated = resolver(doc);
  });

  it('(a) has every path and method of the spec, and nothing else', () => {
    const missing = specOperations
      .filter(({ path, method }) => !generatedOperation(path, method))
      .map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect(missing).toEqual([]);
    const generated = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    const known = new Set(specOperations.map(({ path, method }) => `${method} ${path}`));
    expect(generated.filter((key) => !known.has(key))).toEqual([]);
    expect(allOperations).toHaveLength(specOperations.length);
  });

  it('keeps operation ids, tags and security', () => {
    const problems: string[] = [];
    for (const { path, method, op } of specOperations) {
      const generated = generatedOperation(path, method);
      const where = `${method.toUpperCase()} ${path}`;
      if (generated?.operationId !== op.operationId) problems.push(`${where}: operationId`);
      expect(generated?.tags).toEqual(op.tags);
      if (JSON.stringify(generated?.security ?? null) !== JSON.stringify(op.security ?? null)) {
        problems.push(`${where}: security`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('(b) has every parameter of each spec operation', () => {
    const missing: string[] = [];
    for (const { path, method, op } of specOperations) {
      const generated = asArray(generatedOperation(path, method)?.parameters).filter(isObject);
      for (const parameter of asArray(op.parameters).filter(isObject)) {
        const match = generated.find((p) => p.name === parameter.name && p.in === parameter.in);
        if (!match) missing.push(`${method.toUpperCase()} ${path}: ${String(parameter.in)} ${String(parameter.name)}`);
        else if (parameter.required === true && match.required !== true) {
          missing.push(`${method.toUpperCase()} ${path}: ${String(parameter.name)} should be required`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('(c) has every response status of each spec operation', () => {
    const missing: string[] = [];
    for (const { path, method, op } of specOperations) {
      const generated = generatedOperation(path, method)?.responses;
      for (const status of Object.keys(isObject(op.responses) ? op.responses : {})) {
        if (!isObject(generated) || !(status in generated)) missing.push(`${method.toUpperCase()} ${path}: ${status}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('(d) has every component schema with compatible properties', () => {
    const problems: string[] = [];
    for (const [name, schema] of Object.entries(spec.components.schemas)) {
      const generated = doc.components.schemas[name];
      if (!generated) {
        problems.push(`${name}: missing`);
        continue;
      }
      problems.push(...compare(schema, generated, resolveGenerated, name));
    }
    expect(problems).toEqual([]);
  });

  it('(d) has compatible JSON response and request body schemas', () => {
    const problems: string[] = [];
    for (const { path, method, op } of specOperations) {
      const generated = generatedOperation(path, method);
      const where = `${method.toUpperCase()} ${path}`;
      const responses = isObject(op.responses) ? op.responses : {};
      for (const [status, response] of Object.entries(responses)) {
        const specSchema =
          isObject(response) && isObject(response.content) ? response.content['application/json'] : undefined;
        if (!isObject(specSchema) || !isObject(specSchema.schema)) continue;
        const generatedResponses = isObject(generated?.responses) ? generated.responses : {};
        const generatedResponse = generatedResponses[status];
        const content =
          isObject(generatedResponse) && isObject(generatedResponse.content) ? generatedResponse.content : {};
        const media = content['application/json'];
        if (!isObject(media) || !isObject(media.schema)) {
          problems.push(`${where} ${status}: no JSON schema`);
          continue;
        }
        problems.push(...compare(specSchema.schema, media.schema, resolveGenerated, `${where} ${status}`));
      }
      const specBody =
        isObject(op.requestBody) && isObject(op.requestBody.content)
          ? op.requestBody.content['application/json']
          : undefined;
      if (isObject(specBody) && isObject(specBody.schema)) {
        const body =
          isObject(generated?.requestBody) && isObject(generated.requestBody.content)
            ? generated.requestBody.content['application/json']
            : undefined;
        if (!isObject(body) || !isObject(body.schema)) problems.push(`${where}: no request body`);
        else problems.push(...compare(specBody.schema, body.schema, resolveGenerated, `${where} body`));
      }
    }
    expect(problems).toEqual([]);
  });
});
