import type { Account, UpdateAccountInput } from '@rungate/contracts';
import { accounts, type Executor, returnedRow } from '@rungate/db';
import { eq } from 'drizzle-orm';
import type { AuthContext } from '../../auth/context.ts';
import type { ServiceDeps } from '../../deps.ts';
import { conflict, notFound } from '../../errors.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { toAccount } from './presenter.ts';

export function createAccountService({ db, clock }: ServiceDeps) {
  return {
    /** Inserts an account row; registration calls it inside its transaction. */
    async insert(executor: Executor, values: { name: string; slug: string; email?: string | null }) {
      try {
        const row = returnedRow(await executor.insert(accounts).values(values).returning());
        return row;
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`The slug '${values.slug}' is taken`);
        throw error;
      }
    },

    async slugTaken(slug: string): Promise<boolean> {
      const [row] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.slug, slug));
      return row !== undefined;
    },

    async getCurrent(ctx: AuthContext): Promise<Account> {
      const [row] = await db.select().from(accounts).where(eq(accounts.id, ctx.orgId));
      if (!row) throw notFound('Account');
      return toAccount(row);
    },

    async updateCurrent(ctx: AuthContext, input: UpdateAccountInput): Promise<Account> {
      const [row] = await db
        .update(accounts)
        .set({ name: input.name, updatedAt: clock.now() })
        .where(eq(accounts.id, ctx.orgId))
        .returning();
      if (!row) throw notFound('Account');
      return toAccount(row);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
