import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@rungate/db/testing';
import { createServices, type Services } from '@rungate/governance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiApp, buildApp } from '../src/app.ts';

const INDEX = '<!doctype html><title>Rungate</title><div id="root"></div>';

let database: TestDatabase;
let services: Services;
let webDir: string;
let app: ApiApp;

beforeAll(async () => {
  database = await createTestDatabase();
  services = createServices({ db: database.db, encryptionKey: randomBytes(32) });
  webDir = await mkdtemp(join(tmpdir(), 'rungate-web-'));
  await mkdir(join(webDir, 'assets'));
  await writeFile(join(webDir, 'index.html'), INDEX);
  await writeFile(join(webDir, 'assets', 'index-abc123.js'), 'console.log("dashboard")');
  app = await buildApp({ services, webDir });
});
afterAll(async () => {
  await app.close();
  await database.close();
  await rm(webDir, { recursive: true, force: true });
});

describe('dashboard serving', () => {
  it('serves index.html at / and for client-side routes', async () => {
    for (const url of ['/', '/agents', '/policies/123?tab=edit']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toBe(INDEX);
    }
  });

  it('serves fingerprinted assets as immutable', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('keeps the JSON 404 under API prefixes and for missing files', async () => {
    for (const url of [
      '/api/unknown',
      '/v1/nope',
      '/trpc',
      '/graphql/x',
      '/health/deep',
      '/docs',
      '/assets/missing.js',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toEqual({ error: { type: 'not_found', message: `Route GET ${url} not found` } });
    }
  });

  it('does not answer other methods with the page', async () => {
    const res = await app.inject({ method: 'POST', url: '/agents', payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.type).toBe('not_found');
  });

  it('leaves API routes alone', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/account' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'Authentication required' });
  });

  it('is not mounted when the folder has no index.html', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'rungate-web-empty-'));
    const bare = await buildApp({ services, webDir: empty });
    try {
      const res = await bare.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.type).toBe('not_found');
    } finally {
      await bare.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
