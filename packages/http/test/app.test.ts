import { defineOperation } from '@rungate/contracts';
import { AppError } from '@rungate/governance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildBaseApp } from '../src/app.ts';
import { defineRoute, WithStatus } from '../src/define-route.ts';

const operation = (
  operationId: string,
  path: string,
  extra: { body?: z.ZodType; successStatus?: number; successContentType?: string } = {},
) =>
  defineOperation({
    operationId,
    method: 'POST',
    path,
    tag: 'test',
    summary: operationId,
    auth: 'none',
    responses: {},
    successStatus: 200,
    ...extra,
  });

const app = buildBaseApp({ maxParamLength: 500 });
beforeAll(async () => {
  defineRoute(
    app,
    operation('echo', '/echo', { body: z.object({ name: z.string() }), successStatus: 201 }),
    async ({ body, request }) => ({
      name: (body as { name: string }).name,
      auth: request.routeOptions.config.auth,
    }),
  );
  defineRoute(app, operation('upsert', '/upsert'), async () => new WithStatus(202, { upserted: true }));
  defineRoute(app, operation('text', '/text', { successContentType: 'text/markdown' }), async () => '# hi');
  defineRoute(app, operation('answered', '/answered'), async ({ reply }) => reply.code(418).send({ teapot: true }));
  defineRoute(app, operation('refused', '/refused'), async () => {
    throw new AppError('conflict', 'Already there');
  });
  defineRoute(app, operation('param', '/param/{id}'), async ({ request }) => request.params);
  await app.ready();
});
afterAll(() => app.close());

describe('buildBaseApp and defineRoute', () => {
  it('validates the body from the contract, answers the success status and sets the route auth', async () => {
    const ok = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'a' } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toEqual({ name: 'a', auth: 'none' });
    const bad = await app.inject({ method: 'POST', url: '/echo', payload: { name: 1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { type: 'validation_error', fields: { name: expect.any(String) } } });
  });

  it('answers WithStatus, text content types, and leaves a reply the handler sent alone', async () => {
    expect((await app.inject({ method: 'POST', url: '/upsert' })).statusCode).toBe(202);
    const text = await app.inject({ method: 'POST', url: '/text' });
    expect(text.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(text.body).toBe('# hi');
    const answered = await app.inject({ method: 'POST', url: '/answered' });
    expect(answered.statusCode).toBe(418);
    expect(answered.json()).toEqual({ teapot: true });
  });

  it('maps errors and unknown routes to the spec error shape', async () => {
    const refused = await app.inject({ method: 'POST', url: '/refused' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({ error: { type: 'conflict', message: 'Already there' } });
    const missing = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { type: 'not_found', message: 'Route GET /nowhere not found' } });
  });

  it('accepts path parameters up to maxParamLength and ignores a trailing slash', async () => {
    const long = 'x'.repeat(400);
    expect((await app.inject({ method: 'POST', url: `/param/${long}/` })).json()).toEqual({ id: long });
  });
});
