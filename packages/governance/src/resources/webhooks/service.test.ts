import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@rungate/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedRun } from '../../../test/fixtures.ts';
import type { AuthContext } from '../../auth/context.ts';
import { createServices, type Services } from '../../services.ts';
import { ManualClock } from '../../time/clock.ts';

let database: TestDatabase;
let services: Services;
let orgId: string;
const clock = new ManualClock(new Date('2026-03-01T09:00:00Z'));

beforeAll(async () => {
  database = await createTestDatabase();
  services = createServices({ db: database.db, encryptionKey: randomBytes(32), clock });
  ({ orgId } = await seedRun(database.db));
});
afterAll(() => database.close());

const member = (memberId: string, role: 'member' | 'admin'): AuthContext => ({
  orgId,
  actor: { kind: 'member', memberId, role, email: null, sessionId: 's' },
});
const input = (name: string) => ({ name, url: 'https://hooks.example.com/in', events: ['run.completed' as const] });

it('keeps personal webhooks to their member; admins see every webhook', async () => {
  const alice = member('00000000-0000-4000-8000-00000000000a', 'member');
  const bob = member('00000000-0000-4000-8000-00000000000b', 'member');
  const admin = member('00000000-0000-4000-8000-0000000000ad', 'admin');

  const mine = await services.webhooks.create(alice, input('alice-hook'));
  expect(mine).toMatchObject({ scope: 'personal', member_id: '00000000-0000-4000-8000-00000000000a' });
  await expect(services.webhooks.create(alice, { ...input('alice-org'), scope: 'org' })).rejects.toMatchObject({
    code: 'forbidden',
  });
  const shared = await services.webhooks.create(admin, input('shared-hook'));
  expect(shared.scope).toBe('org');

  await expect(services.webhooks.get(bob, mine.id)).rejects.toMatchObject({ code: 'not_found' });
  await expect(services.webhooks.disable(bob, mine.id)).rejects.toMatchObject({ code: 'not_found' });
  expect((await services.webhooks.list(bob, {})).map((w) => w.name)).toEqual(['shared-hook']);
  expect((await services.webhooks.list(alice, {})).map((w) => w.name).sort()).toEqual(['alice-hook', 'shared-hook']);
  expect((await services.webhooks.list(admin, {})).map((w) => w.name).sort()).toEqual(['alice-hook', 'shared-hook']);
});

it('refuses private receivers on create and update only when configured to', async () => {
  const strict = createServices({
    db: database.db,
    encryptionKey: randomBytes(32),
    clock,
    blockPrivateWebhookAddresses: true,
  });
  const ctx: AuthContext = { orgId, actor: { kind: 'bootstrap' } };
  await expect(
    strict.webhooks.create(ctx, { ...input('internal'), url: 'http://192.168.1.20/hook' }),
  ).rejects.toMatchObject({ code: 'validation_error', fields: { url: expect.stringMatching(/not allowed/) } });
  const hook = await strict.webhooks.create(ctx, input('public'));
  await expect(strict.webhooks.update(ctx, hook.id, { url: 'http://127.0.0.1:8080/' })).rejects.toMatchObject({
    code: 'validation_error',
  });
  expect((await services.webhooks.update(ctx, hook.id, { url: 'http://127.0.0.1:8080/' })).url).toBe(
    'http://127.0.0.1:8080/',
  );
});
