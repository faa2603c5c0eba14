import type {
  CreateProviderKeyInput,
  ListProviderKeysQuery,
  ProviderKey,
  ProviderKeyDependents,
  UpdateProviderKeyInput,
  UpsertProviderKeyInput,
} from '@rungate/contracts';
import { agents, type Executor, providerKeys, returnedRow } from '@rungate/db';
import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import { type AuthContext, auditIdentity } from '../../auth/context.ts';
import type { ServiceDeps } from '../../deps.ts';
import { conflict, invalid, notFound } from '../../errors.ts';
import { eventActor } from '../../events/event-actor.ts';
import { recordAgentUpdated } from '../agents/events.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { normalizeBaseUrl } from './base-url.ts';
import { agentsReferencingKey, describeDependents } from './dependents.ts';
import { recordKeyEvent } from './events.ts';
import { remapKey } from './key-references.ts';
import { lastFourOf } from './mask.ts';
import { type ProviderKeyRow, toProviderKey } from './presenter.ts';
import { type RoutableProviderKey, resolveForRouting } from './routing.ts';

type KeyChanges = { name?: string | undefined; base_url?: string | null | undefined; api_key?: string | undefined };

const DEPENDENTS_WINDOW_MS = 30 * 86_400_000;

const nameTaken = (name: string) => conflict(`A provider key named '${name}' already exists`);
const deletedKey = () => conflict('Provider key is deleted; create a new key instead');

export function createProviderKeyService({ db, clock, secretBox }: ServiceDeps) {
  const sealed = (apiKey: string) => ({ apiKeyEncrypted: secretBox.encrypt(apiKey), apiKeyLast4: lastFourOf(apiKey) });

  const updatedBy = (ctx: AuthContext) => {
    const who = auditIdentity(ctx.actor);
    return { updatedBy: who.by, updatedByTokenId: who.tokenId, updatedAt: clock.now() };
  };

  async function load(ctx: AuthContext, id: string): Promise<ProviderKeyRow> {
    const [row] = await db
      .select()
      .from(providerKeys)
      .where(and(eq(providerKeys.id, id), eq(providerKeys.orgId, ctx.orgId)));
    if (!row) throw notFound('Provider key');
    return row;
  }

  async function insert(
    ctx: AuthContext,
    input: { provider: string; name: string; api_key: string; base_url?: string | null | undefined },
  ) {
    const who = auditIdentity(ctx.actor);
    try {
      return await db.transaction(async (tx) => {
        const row = returnedRow(
          await tx
            .insert(providerKeys)
            .values({
              orgId: ctx.orgId,
              provider: input.provider,
              name: input.name,
              ...sealed(input.api_key),
              baseUrl: normalizeBaseUrl(input.provider, input.base_url),
              memberId: who.memberId,
              createdBy: who.by,
              createdByTokenId: who.tokenId,
              updatedBy: who.by,
              updatedByTokenId: who.tokenId,
            })
            .returning(),
        );
        await recordKeyEvent(tx, 'provider_key.created', row, eventActor(who), clock.now());
        return toProviderKey(row);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(input.name);
      throw error;
    }
  }

  /**
   * Applies name / base_url / api_key changes to a live key; a new api_key is a rotation and
   * emits `provider_key.rotated` (the spec has no event for a rename or a new base_url).
   */
  async function change(ctx: AuthContext, current: ProviderKeyRow, changes: KeyChanges): Promise<ProviderKey> {
    if (current.status === 'deleted') throw deletedKey();
    const now = clock.now();
    try {
      return await db.transaction(async (tx) => {
        const [row] = await tx
          .update(providerKeys)
          .set({
            ...(changes.name !== undefined ? { name: changes.name } : {}),
            ...(changes.base_url !== undefined
              ? { baseUrl: normalizeBaseUrl(current.provider, changes.base_url) }
              : {}),
            ...(changes.api_key !== undefined ? { ...sealed(changes.api_key), rotatedAt: now } : {}),
            ...updatedBy(ctx),
          })
          .where(
            and(eq(providerKeys.id, current.id), eq(providerKeys.orgId, ctx.orgId), ne(providerKeys.status, 'deleted')),
          )
          .returning();
        if (!row) throw deletedKey();
        if (changes.api_key !== undefined)
          await recordKeyEvent(tx, 'provider_key.rotated', row, eventActor(auditIdentity(ctx.actor)), now);
        return toProviderKey(row);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(changes.name ?? current.name);
      throw error;
    }
  }

  /** Idempotent: a key already in `status` is returned unchanged, and only a real change emits an event. */
  async function setStatus(ctx: AuthContext, id: string, status: 'active' | 'disabled'): Promise<ProviderKey> {
    const row = await db.transaction(async (tx) => {
      const [changed] = await tx
        .update(providerKeys)
        .set({ status, ...updatedBy(ctx) })
        .where(
          and(
            eq(providerKeys.id, id),
            eq(providerKeys.orgId, ctx.orgId),
            ne(providerKeys.status, status),
            ne(providerKeys.status, 'deleted'),
          ),
        )
        .returning();
      if (changed) {
        const type = status === 'active' ? 'provider_key.enabled' : 'provider_key.disabled';
        await recordKeyEvent(tx, type, changed, eventActor(auditIdentity(ctx.actor)), clock.now());
      }
      return changed;
    });
    if (row) return toProviderKey(row);
    const current = await load(ctx, id);
    if (current.status === 'deleted') throw deletedKey();
    return toProviderKey(current);
  }

  /**
   * Locks the key (and the replacement, when remapping) in id order, so two deletes remapping
   * onto each other cannot deadlock. The replacement must be another active key of the same
   * provider in the caller's org.
   */
  async function lockForDelete(
    tx: Executor,
    ctx: AuthContext,
    id: string,
    remapTo: string | undefined,
  ): Promise<ProviderKeyRow> {
    const refuse = (reason: string) => invalid(`Cannot remap to this key: ${reason}`, { remap_to: reason });
    const rows = await tx
      .select()
      .from(providerKeys)
      .where(and(eq(providerKeys.orgId, ctx.orgId), inArray(providerKeys.id, remapTo ? [id, remapTo] : [id])))
      .orderBy(providerKeys.id)
      .for('update');
    const key = rows.find((row) => row.id === id);
    if (!key) throw notFound('Provider key');
    if (remapTo === undefined) return key;
    if (remapTo === id) throw refuse('must be a different key than the one deleted');
    const target = rows.find((row) => row.id === remapTo);
    if (!target) throw refuse('no such provider key');
    if (target.provider !== key.provider) throw refuse(`must be a '${key.provider}' key, not '${target.provider}'`);
    if (target.status !== 'active') throw refuse(`must be active (it is ${target.status})`);
    return key;
  }

  return {
    async create(ctx: AuthContext, input: CreateProviderKeyInput): Promise<ProviderKey> {
      return insert(ctx, input);
    },

    /** Without a status filter, deleted keys are left out (they stay only for audit). */
    async list(ctx: AuthContext, filter: ListProviderKeysQuery): Promise<ProviderKey[]> {
      const rows = await db
        .select()
        .from(providerKeys)
        .where(
          and(
            eq(providerKeys.orgId, ctx.orgId),
            filter.provider ? eq(providerKeys.provider, filter.provider) : undefined,
            filter.status ? eq(providerKeys.status, filter.status) : ne(providerKeys.status, 'deleted'),
          ),
        )
        .orderBy(desc(providerKeys.createdAt), desc(providerKeys.id));
      return rows.map(toProviderKey);
    },

    async get(ctx: AuthContext, id: string): Promise<ProviderKey> {
      return toProviderKey(await load(ctx, id));
    },

    async update(ctx: AuthContext, id: string, input: UpdateProviderKeyInput): Promise<ProviderKey> {
      return change(ctx, await load(ctx, id), input);
    },

    /**
     * Creates or updates the live key with this name; a deleted key of the same name is
     * history, not a match. The provider cannot change on update (409).
     */
    async upsertByName(
      ctx: AuthContext,
      name: string,
      input: UpsertProviderKeyInput,
    ): Promise<{ data: ProviderKey; created: boolean }> {
      const [existing] = await db
        .select()
        .from(providerKeys)
        .where(and(eq(providerKeys.orgId, ctx.orgId), eq(providerKeys.name, name), ne(providerKeys.status, 'deleted')));
      if (existing) {
        if (input.provider !== undefined && input.provider !== existing.provider) {
          throw conflict(`Provider key '${name}' is a '${existing.provider}' key; its provider cannot change`);
        }
        return {
          data: await change(ctx, existing, { api_key: input.api_key, base_url: input.base_url }),
          created: false,
        };
      }
      const { provider, api_key } = input;
      if (provider === undefined || api_key === undefined) {
        const fields: Record<string, string> = {};
        if (provider === undefined) fields.provider = 'Required to create a provider key';
        if (api_key === undefined) fields.api_key = 'Required to create a provider key';
        throw invalid(`No provider key named '${name}' exists; provider and api_key are required to create it`, fields);
      }
      return { data: await insert(ctx, { provider, name, api_key, base_url: input.base_url }), created: true };
    },

    /**
     * Soft delete: the row stays for audit, the secret is scrubbed. With `remapTo`, every agent
     * naming this key is pointed at the replacement in the same transaction. Deleting a deleted
     * key answers the same and still remaps, so agents left pointing at it can be moved later.
     */
    async delete(
      ctx: AuthContext,
      id: string,
      remapTo?: string,
    ): Promise<{ message: string; remapped_agents: number }> {
      return db.transaction(async (tx) => {
        const key = await lockForDelete(tx, ctx, id, remapTo);
        const actor = eventActor(auditIdentity(ctx.actor));
        const now = clock.now();
        if (key.status !== 'deleted') {
          const deleted = returnedRow(
            await tx
              .update(providerKeys)
              .set({ status: 'deleted', apiKeyEncrypted: null, apiKeyLast4: null, deletedAt: now, ...updatedBy(ctx) })
              .where(eq(providerKeys.id, id))
              .returning(),
          );
          await recordKeyEvent(tx, 'provider_key.deleted', deleted, actor, now);
        }
        if (remapTo === undefined) return { message: 'Provider key deleted', remapped_agents: 0 };
        const dependents = await agentsReferencingKey(tx, ctx.orgId, id, { lock: true });
        const audit = updatedBy(ctx);
        for (const agent of dependents) {
          const remapped = returnedRow(
            await tx
              .update(agents)
              .set({ providerKeys: remapKey(agent.providerKeys, id, remapTo), ...audit })
              .where(eq(agents.id, agent.id))
              .returning(),
          );
          await recordAgentUpdated(tx, remapped, ['provider_keys'], actor, now);
        }
        return {
          message: `Provider key deleted; ${dependents.length} agent(s) remapped`,
          remapped_agents: dependents.length,
        };
      });
    },

    disable(ctx: AuthContext, id: string): Promise<ProviderKey> {
      return setStatus(ctx, id, 'disabled');
    },

    enable(ctx: AuthContext, id: string): Promise<ProviderKey> {
      return setStatus(ctx, id, 'active');
    },

    /** What disabling or deleting the key would touch. */
    async dependents(ctx: AuthContext, id: string): Promise<ProviderKeyDependents['data']> {
      const key = await load(ctx, id);
      return describeDependents(db, ctx.orgId, key, new Date(clock.now().getTime() - DEPENDENTS_WINDOW_MS));
    },

    /** For the proxy: the decrypted keys among `keyIds` that may be routed to, in the order asked. */
    resolveForRouting(orgId: string, keyIds: readonly string[]): Promise<RoutableProviderKey[]> {
      return resolveForRouting(db, secretBox, orgId, keyIds);
    },
  };
}

export type ProviderKeyService = ReturnType<typeof createProviderKeyService>;
