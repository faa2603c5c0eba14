import { randomBytes, randomUUID } from 'node:crypto';
import { allOperations, ErrorResponse, type Operation, toRoutePath } from '@rungate/contracts';
import {
  adminTokens,
  agents,
  alertRules,
  type Database,
  invitations,
  members,
  policies,
  providerKeys,
  sessions,
  webhooks,
} from '@rungate/db';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createHarness } from './harness.ts';
import { seedAgent, seedApproval, seedRun } from './run-fixtures.ts';

/**
 * Walks every operation the app serves and throws bad input at it: malformed ids, bodies and
 * queries, an oversized body, another tenant's ids. None may answer 5xx; every refusal has the
 * spec's error shape. Cases are generated from the contracts' zod schemas, so a new route is
 * covered as soon as it is registered.
 */

const h = await createHarness();
afterAll(() => h.close());

const served = allOperations.filter((op) => h.app.hasRoute({ method: op.method, url: toRoutePath(op.path) }));
const key = (op: Operation) => `${op.method} ${op.path}`;

// ---- zod introspection -------------------------------------------------------------------

type Schema = z.ZodType;
const defOf = (schema: Schema) => (schema as unknown as { _zod: { def: Record<string, any> } })._zod.def;

/** The schema under optional / nullable / default / preprocess wrappers. */
function unwrap(schema: Schema): Schema {
  const def = defOf(schema);
  if ('innerType' in def) return unwrap(def.innerType);
  if (def.type === 'pipe') return unwrap(defOf(def.in).type === 'transform' ? def.out : def.in);
  return schema;
}

function shapeOf(schema: Schema | undefined): Record<string, Schema> {
  if (!schema) return {};
  const def = defOf(unwrap(schema));
  return def.type === 'object' ? def.shape : {};
}

const isStrict = (schema: Schema) =>
  defOf(defOf(unwrap(schema)).catchall ?? ({ _zod: { def: {} } } as never)).type === 'never';

/** A JSON value of the wrong type for `schema` (number for a string, object for an array, ...), or undefined when anything goes. */
function wrongValueFor(schema: Schema): unknown {
  const preferred: Record<string, unknown> = {
    string: 12345,
    enum: 12345,
    literal: 12345,
    number: 'not-a-number',
    boolean: 'yes',
    array: { not: 'an array' },
    object: ['not an object'],
    record: ['not an object'],
  };
  const candidates = [
    preferred[defOf(unwrap(schema)).type],
    12345,
    'not-a-number',
    true,
    ['not an object'],
    { not: 'an array' },
  ];
  return candidates.find((value) => value !== undefined && !schema.safeParse(value).success);
}

/** The smallest value `schema` accepts, for bodies that must pass validation to reach the service. */
function sampleFor(schema: Schema): unknown {
  const base = unwrap(schema);
  const def = defOf(base);
  switch (def.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(def.shape as Record<string, Schema>)
          .filter(([, prop]) => !prop.safeParse(undefined).success)
          .map(([name, prop]) => [name, sampleFor(prop)]),
      );
    case 'enum':
      return Object.values(def.entries)[0];
    case 'literal':
      return def.values[0];
    case 'array':
      return base.safeParse([]).success ? [] : [sampleFor(def.element)];
    case 'union':
      return sampleFor(def.options[0]);
    case 'record':
      return {};
    case 'boolean':
      return false;
    case 'number':
      return [1, 0, 1000].find((n) => base.safeParse(n).success);
    default:
      return ['sample', randomUUID(), 'sample@example.com', 'https://example.com/hook'].find(
        (s) => base.safeParse(s).success,
      );
  }
}

function validBody(op: Operation): unknown {
  if (!op.body) return undefined;
  const body = sampleFor(op.body);
  if (!op.body.safeParse(body).success)
    throw new Error(`cannot build a valid body for ${key(op)}: teach sampleFor its schema`);
  return body;
}

// ---- identities and fixtures -------------------------------------------------------------

/** Ids of one tenant's resources, keyed by the path segment before `{id}`. */
type Fixtures = Record<string, string>;

async function seedFixtures(
  db: Database,
  orgId: string,
  owner?: Awaited<ReturnType<typeof seedAgent>>,
): Promise<Fixtures> {
  const agent = owner ?? (await seedAgent(db, orgId, `fixture-${orgId.slice(0, 8)}`));
  const run = await seedRun(db, agent);
  const now = h.clock.now();
  const approval = await seedApproval(db, run, { createdAt: now, expiresAt: new Date(now.getTime() + 3_600_000) });
  const [providerKey] = await db
    .insert(providerKeys)
    .values({ orgId, provider: 'openai', name: `fixture-${randomUUID()}` })
    .returning();
  const [token] = await db.select().from(adminTokens).where(eq(adminTokens.accountId, orgId)).limit(1);
  const [webhook] = await db
    .insert(webhooks)
    .values({
      orgId,
      name: 'fixture',
      url: 'https://example.com/hook',
      secretEncrypted: 'x',
      events: ['run.completed'],
    })
    .returning();
  const [alertRule] = await db
    .insert(alertRules)
    .values({ orgId, name: 'fixture', conditionType: 'cost_threshold' })
    .returning();
  const [invitation] = await db
    .insert(invitations)
    .values({
      orgId,
      email: 'invitee@example.com',
      role: 'member',
      invitedBy: 'token:fixture',
      tokenHash: randomUUID(),
      expiresAt: now,
    })
    .returning();
  const [member] = await db
    .insert(members)
    .values({ orgId, email: `member-${randomUUID()}@example.com`, displayName: 'Fixture', role: 'member' })
    .returning();
  const [session] = await db
    .insert(sessions)
    .values({ accountId: orgId, memberId: member!.id, email: member!.email, tokenHash: randomUUID(), expiresAt: now })
    .returning();
  return {
    agents: agent.agent.id,
    policies: agent.policy.id,
    runs: run.id,
    'approval-requests': approval.id,
    'provider-keys': providerKey!.id,
    'admin-tokens': token!.id,
    webhooks: webhook!.id,
    'alert-rules': alertRule!.id,
    invitations: invitation!.id,
    members: member!.id,
    sessions: session!.id,
  };
}

interface Identity {
  token: string | null;
  fixtures: Fixtures;
}

/** Dashboard routes act as tenant a, agent routes as a freshly registered org's agent. */
let as: Record<Operation['auth'], Identity>;
/** Tenant b's resources, seen by the identities above. */
let foreign: Fixtures;

beforeAll(async () => {
  const db = h.services.deps.db;
  const registered = await h.app.inject({
    method: 'POST',
    url: '/v1/register',
    payload: { name: 'Bad Input Labs' },
    remoteAddress: '10.9.9.9',
  });
  expect(registered.statusCode).toBe(201);
  const { data } = registered.json();
  const [agentRow] = await db.select().from(agents).where(eq(agents.id, data.agent.id));
  const [policyRow] = await db.select().from(policies).where(eq(policies.id, data.policy.id));
  const owner = { agent: agentRow!, policy: policyRow!, snapshot: { name: policyRow!.name } };
  as = {
    dashboard: { token: h.a.tokens.admin, fixtures: await seedFixtures(db, h.a.orgId) },
    agent: { token: data.agent.api_key, fixtures: await seedFixtures(db, data.account.id, owner) },
    none: { token: null, fixtures: {} },
  };
  foreign = await seedFixtures(db, h.b.orgId);
});

// ---- requests ----------------------------------------------------------------------------

const resourceOf = (op: Operation) => {
  const segments = op.path.split('/');
  return segments[segments.indexOf('{id}') - 1] ?? '';
};

/** Path values that pass the contract and point at the caller's own resources where there are some. */
function ownParams(op: Operation, fixtures: Fixtures): Record<string, string> {
  const params: Record<string, string> = {};
  for (const name of Object.keys(shapeOf(op.params))) {
    params[name] =
      name === 'id' ? (fixtures[resourceOf(op)] ?? randomUUID()) : name === 'version' ? '1' : 'no-such-name';
  }
  return params;
}

interface Send {
  params?: Record<string, string>;
  query?: string;
  /** An object is sent as JSON; a string is sent as is with `content-type: application/json`. */
  body?: unknown;
}

function send(op: Operation, options: Send = {}): Promise<LightMyRequestResponse> {
  const identity = as[op.auth];
  const params = { ...ownParams(op, identity.fixtures), ...options.params };
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name]!);
  const url = options.query === undefined ? path : `${path}?${options.query}`;
  const body = 'body' in options ? options.body : validBody(op);
  return h.request({ method: op.method, url, token: identity.token, body });
}

/** Every refusal has the spec's shape for its status, and nothing is a 5xx. */
function expectSpecError(
  op: Operation,
  res: LightMyRequestResponse,
  label = '',
): { type: string; message: string; fields?: Record<string, string> } {
  expect(res.statusCode, `${key(op)} ${label}: ${res.body}`).toBeLessThan(500);
  expect(res.statusCode, `${key(op)} ${label}`).toBeGreaterThanOrEqual(400);
  const body = res.json();
  const schema = op.responses[res.statusCode] ?? ErrorResponse;
  expect(
    schema.safeParse(body).success,
    `${key(op)} ${label}: ${res.statusCode} ${res.body} is not the spec's error`,
  ).toBe(true);
  return body.error;
}

function expectNo5xx(op: Operation, res: LightMyRequestResponse, label = '') {
  expect(res.statusCode, `${key(op)} ${label}: ${res.body}`).toBeLessThan(500);
  if (res.statusCode >= 400) expectSpecError(op, res, label);
}

// ---- cases -------------------------------------------------------------------------------

/** Incompressible, so a unique index on the column sees all of it (and overflows). */
const LONG_STRING = randomBytes(6_000).toString('base64');
/** Path and query values arrive URL-encoded. */
const BAD_PATH_VALUES = [
  'not-a-uuid',
  '12345',
  '00000000-0000-0000-0000-00000000000g',
  `${randomUUID()}0`,
  encodeURIComponent(LONG_STRING.slice(0, 3_000)),
  "'%3B%20select%201%3B--",
  'a%00b',
  '%E2%82%AC',
  '2147483648',
  '-1',
];
const BAD_QUERY_VALUES = [
  'abc',
  '-1',
  '0',
  '1.5',
  '',
  '99999999999999999999',
  '2147483648',
  '2024-13-45T00:00:00Z',
  '0000-01-01T00:00:00Z',
  'a%00b',
  encodeURIComponent(LONG_STRING),
];
/** Values of the right JSON type that a column may still not hold: NUL in text, int4 overflow, ... */
const EDGE_STRINGS = ['a\u0000b', '', ' ', LONG_STRING, 'not-a-uuid', '2147483648', '0000-01-01T00:00:00Z'];
const EDGE_NUMBERS = [-1, 0, 0.5, 2 ** 31, 2 ** 53, -(2 ** 31) - 1, 1e300];

it('serves a good share of the spec', () => {
  expect(served.length).toBeGreaterThan(40);
});

describe.each(served.filter((op) => op.params).map((op) => [key(op), op] as const))('%s: path values', (_, op) => {
  it.each(Object.keys(shapeOf(op.params)))('%s: 400 where the contract refuses it, never 5xx', async (name) => {
    const paramSchema = shapeOf(op.params)[name]!;
    for (const value of BAD_PATH_VALUES) {
      const res = await send(op, { params: { [name]: value } });
      if (!paramSchema.safeParse(decodeURIComponent(value)).success) {
        expect(res.statusCode, `${name}=${value}: ${res.body}`).toBe(400);
        expect(expectSpecError(op, res, `${name}=${value}`)).toMatchObject({
          type: 'validation_error',
          fields: { [name]: expect.any(String) },
        });
      } else {
        expectNo5xx(op, res, `${name}=${value}`);
      }
    }
  });
});

describe.each(served.filter((op) => op.body).map((op) => [key(op), op] as const))('%s: body', (_, op) => {
  it('refuses malformed JSON and non-object bodies with 400', async () => {
    for (const raw of ['{"a":', '[]', '[{"name":"x"}]', '"a string"', '42', 'true']) {
      const res = await send(op, { body: raw });
      expect(res.statusCode, `${raw}: ${res.body}`).toBe(400);
      expect(expectSpecError(op, res, raw).type).toBe('validation_error');
    }
  });

  const properties = Object.entries(shapeOf(op.body))
    .map(([name, schema]) => [name, wrongValueFor(schema)] as const)
    .filter(([, wrong]) => wrong !== undefined);
  it.skipIf(properties.length === 0)(
    'refuses a wrong type for each top-level property with 400 naming it',
    async () => {
      for (const [name, wrong] of properties) {
        const res = await send(op, { body: { ...(validBody(op) as object), [name]: wrong } });
        expect(res.statusCode, `${name}=${JSON.stringify(wrong)}: ${res.body}`).toBe(400);
        const error = expectSpecError(op, res, name);
        expect(error.type).toBe('validation_error');
        expect(Object.keys(error.fields ?? {}), `${name}: ${res.body}`).toContainEqual(
          expect.stringMatching(new RegExp(`^${name}(\\.|$)`)),
        );
      }
    },
  );

  it('answers edge values of each top-level property with 400 where the contract refuses them, never 5xx', async () => {
    for (const [name, schema] of Object.entries(shapeOf(op.body))) {
      const type = defOf(unwrap(schema)).type;
      const values = type === 'number' ? EDGE_NUMBERS : type === 'string' ? EDGE_STRINGS : [];
      for (const value of values) {
        const res = await send(op, { body: { ...(validBody(op) as object), [name]: value } });
        const label = `${name}=${JSON.stringify(value).slice(0, 40)}`;
        if (!schema.safeParse(value).success) {
          expect(res.statusCode, `${label}: ${res.body}`).toBe(400);
          expect(expectSpecError(op, res, label).fields, label).toHaveProperty([name]);
        } else {
          expectNo5xx(op, res, label);
        }
      }
    }
  });

  it(isStrict(op.body!) ? 'refuses an unknown field' : 'ignores an unknown field', async () => {
    const res = await send(op, { body: { ...(validBody(op) as object), unexpected_field: 1 } });
    if (isStrict(op.body!)) {
      expect(res.statusCode, res.body).toBe(400);
      expect(expectSpecError(op, res).fields).toBeDefined();
    } else {
      expectNo5xx(op, res, 'unexpected_field');
      if (res.statusCode === 400) expect(res.json().error.fields ?? {}).not.toHaveProperty('unexpected_field');
    }
  });

  it('refuses a 2 MB body with 413', async () => {
    const res = await send(op, { body: { ...(validBody(op) as object), padding: 'x'.repeat(2 * 1024 * 1024) } });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(413);
    expectSpecError(op, res);
  });
});

describe.each(served.filter((op) => op.query).map((op) => [key(op), op] as const))('%s: query', (_, op) => {
  it.each(Object.keys(shapeOf(op.query)))('%s: 400 where the contract refuses the value, never 5xx', async (name) => {
    const paramSchema = shapeOf(op.query)[name]!;
    for (const value of BAD_QUERY_VALUES) {
      const res = await send(op, { query: `${name}=${value}` });
      if (!paramSchema.safeParse(decodeURIComponent(value)).success) {
        expect(res.statusCode, `${name}=${value}: ${res.body}`).toBe(400);
        expect(expectSpecError(op, res, `${name}=${value}`)).toMatchObject({
          type: 'validation_error',
          fields: { [name]: expect.any(String) },
        });
      } else {
        expectNo5xx(op, res, `${name}=${value}`);
      }
    }
    const repeated = await send(op, { query: `${name}=1&${name}=2` });
    expectNo5xx(op, repeated, `${name} repeated`);
  });
});

describe.each(served.filter((op) => op.path.includes('{id}')).map((op) => [key(op), op] as const))(
  '%s: another tenant',
  (_, op) => {
    it("answers 404 (or nothing) for another tenant's id", async () => {
      const theirs = foreign[resourceOf(op)];
      expect(theirs, `no tenant-b fixture for ${resourceOf(op)}: add one to seedFixtures`).toBeDefined();
      const res = await send(op, { params: { id: theirs! } });
      if (404 in op.responses) {
        expect(res.statusCode, res.body).toBe(404);
        expect(expectSpecError(op, res).type).toBe('not_found');
      } else {
        // The spec gives this read no 404 (policy versions): another tenant's id shows nothing.
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json()).toEqual({ data: [], total: 0 });
      }
    });
  },
);
