import { afterAll, describe, expect, it } from 'vitest';
import { accounts } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

describe('createTestDatabase', () => {
  const opened: TestDatabase[] = [];
  afterAll(() => Promise.all(opened.map((t) => t.close())));

  it('gives every call its own migrated database', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    opened.push(a!, b!);
    await a!.db.insert(accounts).values({ slug: 'only-in-a', name: 'A' });
    expect(await a!.db.select().from(accounts)).toHaveLength(1);
    expect(await b!.db.select().from(accounts)).toHaveLength(0);
    // Same slug is free in b: the unique index is per database.
    await b!.db.insert(accounts).values({ slug: 'only-in-a', name: 'B' });
  });
});
