import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ApiApp, buildApp } from '@rungate/api';
import { createTestDatabase, type TestDatabase } from '@rungate/db/testing';
import { type AuthContext, createServices, type Services } from '@rungate/governance';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const inCi = Boolean(process.env.CI);
// Headless Chromium that runs as root in a container (no sandbox, no GPU) and talks only to the
// test server: no QUIC, first-run setup, background networking, component updates or sync.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const webDir = fileURLToPath(new URL('../dist', import.meta.url));
const screenshot = (name: string) => join(tmpdir(), `rungate-web-${name}.png`);

/** playwright-core has no `expect`; waiting for a locator is the assertion (it throws on timeout). */
const shown = (locator: Locator) => locator.waitFor({ state: 'visible' });
const rowWith = (table: Locator, name: string | RegExp, ...texts: string[]) =>
  texts.reduce((row, text) => row.filter({ hasText: text }), table.getByRole('row', { name }));

if (!hasChromium && !inCi) {
  console.warn(
    `Skipping the dashboard browser test: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`,
  );
}

describe.skipIf(!hasChromium && !inCi)('dashboard in a browser', () => {
  let database: TestDatabase;
  let services: Services;
  let app: ApiApp;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let adminToken: string;
  let adminTokenId: string;
  let ctx: AuthContext;

  beforeAll(async () => {
    // In CI a missing browser is a broken image, not a reason to skip.
    if (!hasChromium) throw new Error(`CI is set but Chromium is missing at ${CHROMIUM}`);
    database = await createTestDatabase();
    services = createServices({ db: database.db, encryptionKey: randomBytes(32) });
    const account = await services.accounts.insert(services.deps.db, { name: 'Acme', slug: 'acme' });
    const issued = await services.adminTokens.issue(
      services.deps.db,
      account.id,
      { name: 'browser-test', scopes: ['admin'] },
      'test',
    );
    adminToken = issued.secret;
    adminTokenId = issued.token.id;
    ctx = { orgId: account.id, actor: { kind: 'token', tokenId: adminTokenId, scopes: ['admin'] } };
    await services.policies.create(ctx, { name: 'Default policy' });

    app = await buildApp({ services, webDir });
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(5_000);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.close();
  });

  it('signs in, creates and edits an agent, creates a policy', async () => {
    // Deep link: the API answers /agents with the SPA, which asks for a token first.
    await page.goto(`${baseUrl}/agents`);
    await page.getByLabel('Admin token').fill('not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await shown(page.getByText('That token was not accepted.'));
    await page.screenshot({ path: screenshot('sign-in') });
    await page.getByLabel('Admin token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await shown(page.getByRole('heading', { name: 'Agents' }));
    await shown(page.getByRole('banner').getByText('Acme'));

    // Create an agent: the key is shown once, in full.
    await page.getByRole('button', { name: 'New agent' }).click();
    const agentForm = page.getByRole('form', { name: 'New agent' });
    await agentForm.getByLabel('Name', { exact: true }).fill('support-bot');
    await agentForm.getByLabel('Description').fill('Answers support tickets');
    await agentForm.getByLabel('Policy').selectOption({ label: 'Default policy' });
    await agentForm.getByRole('button', { name: 'Create agent' }).click();
    const key = page.getByLabel('API key', { exact: true });
    await shown(key);
    const apiKey = (await key.textContent()) ?? '';
    expect(apiKey).toMatch(/^rg_sk_\S{20,}$/);
    const agentsTable = page.getByRole('table', { name: 'Agents' });
    const newRow = rowWith(agentsTable, /support-bot/, 'Default policy', 'active');
    await shown(newRow);
    const prefix = (await newRow.locator('code').textContent())?.replace('…', '') ?? '';
    expect(prefix.length).toBeGreaterThan(6);
    expect(apiKey.startsWith(prefix)).toBe(true);
    await page.screenshot({ path: screenshot('agent-created') });
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await key.waitFor({ state: 'detached' });

    // Create a policy; a server validation error shows next to its field first.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policies' }).click();
    await page.getByRole('button', { name: 'New policy' }).click();
    const policyForm = page.getByRole('form', { name: 'New policy' });
    await policyForm.getByRole('button', { name: 'Create policy' }).click();
    await shown(policyForm.getByText('Please correct the highlighted fields.'));
    expect(await policyForm.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: screenshot('policy-invalid') });
    await policyForm.getByLabel('Name', { exact: true }).fill('Strict');
    await policyForm.getByLabel('Hard budget limit (USD)').fill('25');
    await policyForm.getByLabel('Allowed models').fill('gpt-4o-mini, claude-*');
    await policyForm.getByLabel('Dry run').check();
    await policyForm.getByRole('button', { name: 'Create policy' }).click();
    const policiesTable = page.getByRole('table', { name: 'Policies' });
    await shown(rowWith(policiesTable, /Strict/, '$25.00', 'gpt-4o-mini, claude-*', 'dry run'));
    await shown(rowWith(policiesTable, /Default policy/, 'Any', 'live'));
    await page.screenshot({ path: screenshot('policies') });

    // Edit the agent: rename, move to the new policy, disable.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
    await agentsTable.getByRole('link', { name: 'support-bot' }).click();
    const editForm = page.getByRole('form', { name: 'Edit agent' });
    await editForm.getByLabel('Name', { exact: true }).fill('support-bot-v2');
    await editForm.getByLabel('Policy').selectOption({ label: 'Strict' });
    await editForm.getByLabel('Status').selectOption('disabled');
    await page.screenshot({ path: screenshot('agent-edit') });
    await editForm.getByRole('button', { name: 'Save changes' }).click();
    await shown(rowWith(agentsTable, /support-bot-v2/, 'Strict', 'disabled'));
    await page.screenshot({ path: screenshot('agents') });

    const [stored] = await services.agents.list(ctx, {});
    expect(stored).toMatchObject({
      name: 'support-bot-v2',
      status: 'disabled',
      description: 'Answers support tickets',
    });
  });

  it('keeps the session across reloads and signs out', async () => {
    await page.reload();
    await shown(page.getByRole('table', { name: 'Agents' }).getByRole('row', { name: /support-bot-v2/ }));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await shown(page.getByLabel('Admin token'));
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });

  it('sends the user back to sign-in when the token stops working', async () => {
    await page.getByLabel('Admin token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await shown(page.getByRole('heading', { name: 'Agents' }));
    await services.adminTokens.revoke(ctx, adminTokenId);
    // Next visit: the stored token is refused, so the dashboard drops it and says why.
    await page.reload();
    await shown(page.getByText('Your admin token was not accepted. Sign in again.'));
    await shown(page.getByLabel('Admin token'));
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });
});
