import type {
  Agent,
  AgentProviderKeys,
  AllAgentStats,
  CreateAgentInput,
  CreatedAgent,
  ListAgentsQuery,
  PatchAgentInput,
  RoutingOverride,
  UpdateAgentInput,
  UpsertAgentInput,
} from '@rungate/contracts';
import { agents, type Executor, returnedRow } from '@rungate/db';
import { and, desc, eq, or, sql } from 'drizzle-orm';
import { type AuthContext, auditIdentity, requireScope } from '../../auth/context.ts';
import type { ServiceDeps } from '../../deps.ts';
import { conflict, invalid, notFound } from '../../errors.ts';
import { eventActor } from '../../events/event-actor.ts';
import { createdBy } from '../audit-columns.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { type AgentChanges, changedColumns } from './changes.ts';
import { recordAgentChange, recordAgentCreated } from './events.ts';
import { agentKeyHash, issueAgentKey } from './keys.ts';
import { firstFreeName, suffixNote } from './names.ts';
import { type AgentRow, toAgent } from './presenter.ts';
import { assertAgentRefs } from './references.ts';
import { agentSpend } from './stats.ts';

const NAME_UNIQUE = 'agents_org_id_name_uq';
/** Concurrent creates of one name may each pick the same free suffix; the loser picks again. */
const NAME_ATTEMPTS = 5;

export type AuditStamp = ReturnType<typeof auditIdentity>;

export interface NewAgent {
  name: string;
  policyId: string;
  description?: string | null | undefined;
  allowedPolicies?: string[] | null | undefined;
  providerKeys?: AgentProviderKeys | undefined;
  routingOverride?: RoutingOverride | undefined;
  metadata?: Record<string, unknown> | undefined;
}

export type UpsertedAgent = { created: true; data: CreatedAgent } | { created: false; data: Agent };

/** What a new agent's columns come from, its name aside: a create's or a creating upsert's input. */
type AgentFieldsInput = Pick<
  CreateAgentInput,
  'description' | 'allowed_policies' | 'provider_keys' | 'routing_override' | 'metadata'
> & { policy_id: string };

export function createAgentService({ db, clock }: ServiceDeps) {
  /**
   * Inserts an agent under exactly `input.name` with a fresh key and queues `agent.created`.
   * The caller vouches for the references (registration passes the policy it just created in
   * the same transaction) and passes a transaction, so the event commits with the row.
   */
  async function insertAgent(executor: Executor, orgId: string, input: NewAgent, audit: AuditStamp) {
    const { apiKey, apiKeyHash, apiKeyPrefix } = issueAgentKey();
    const now = clock.now();
    const row = returnedRow(
      await executor
        .insert(agents)
        .values({
          orgId,
          name: input.name,
          description: input.description ?? null,
          apiKeyHash,
          apiKeyPrefix,
          policyId: input.policyId,
          allowedPolicies: input.allowedPolicies ?? null,
          providerKeys: input.providerKeys ?? {},
          routingOverride: input.routingOverride ?? null,
          metadata: input.metadata ?? {},
          ...createdBy(audit, now),
        })
        .returning(),
    );
    await recordAgentCreated(executor, row, eventActor(audit), now);
    return { agent: toAgent(row), apiKey };
  }

  async function findRow(ctx: AuthContext, where: { id: string } | { name: string }): Promise<AgentRow | undefined> {
    const match = 'id' in where ? eq(agents.id, where.id) : eq(agents.name, where.name);
    const [row] = await db
      .select()
      .from(agents)
      .where(and(match, eq(agents.orgId, ctx.orgId)));
    return row;
  }

  async function takenNames(orgId: string, base: string): Promise<Set<string>> {
    const rows = await db
      .select({ name: agents.name })
      .from(agents)
      .where(and(eq(agents.orgId, orgId), or(eq(agents.name, base), sql`starts_with(${agents.name}, ${`${base}-`})`)));
    return new Set(rows.map((row) => row.name));
  }

  /** Writes the given fields of an existing agent after checking what they refer to. */
  /** A new agent's columns but its name, once its policies and provider keys are known to exist. */
  async function newAgentFields(orgId: string, input: AgentFieldsInput): Promise<Omit<NewAgent, 'name'>> {
    await assertAgentRefs(db, orgId, {
      policyId: input.policy_id,
      allowedPolicies: input.allowed_policies,
      providerKeys: input.provider_keys,
    });
    return {
      policyId: input.policy_id,
      description: input.description,
      allowedPolicies: input.allowed_policies,
      providerKeys: input.provider_keys,
      routingOverride: input.routing_override,
      metadata: input.metadata,
    };
  }

  async function applyChanges(ctx: AuthContext, existing: AgentRow, input: AgentChanges): Promise<Agent> {
    await assertAgentRefs(db, ctx.orgId, {
      policyId: input.policy_id,
      allowedPolicies: input.allowed_policies,
      providerKeys: input.provider_keys,
      memberId: input.member_id,
    });
    const audit = auditIdentity(ctx.actor);
    try {
      return await db.transaction(async (tx) => {
        const before = await lockRow(tx, ctx, existing.id);
        const now = clock.now();
        const row = returnedRow(
          await tx
            .update(agents)
            .set({ ...changedColumns(input), updatedBy: audit.by, updatedByTokenId: audit.tokenId, updatedAt: now })
            .where(eq(agents.id, before.id))
            .returning(),
        );
        await recordAgentChange(tx, before, row, eventActor(audit), now);
        return toAgent(row);
      });
    } catch (error) {
      if (isUniqueViolation(error, NAME_UNIQUE)) throw conflict(`An agent named '${input.name}' already exists`);
      throw error;
    }
  }

  /** The row as it is before a change, locked so the event compares against what was really replaced. */
  async function lockRow(tx: Executor, ctx: AuthContext, id: string): Promise<AgentRow> {
    const [row] = await tx
      .select()
      .from(agents)
      .where(and(eq(agents.id, id), eq(agents.orgId, ctx.orgId)))
      .for('update');
    if (!row) throw notFound('Agent');
    return row;
  }

  async function getRow(ctx: AuthContext, id: string): Promise<AgentRow> {
    const row = await findRow(ctx, { id });
    if (!row) throw notFound('Agent');
    return row;
  }

  return {
    insertAgent,

    /** Create auto-suffixes a taken name (`name-2`, `name-3`, ...) and says so in `_note`. */
    async create(ctx: AuthContext, input: CreateAgentInput): Promise<CreatedAgent> {
      const fields = await newAgentFields(ctx.orgId, input);
      for (let attempt = 1; ; attempt++) {
        const name = firstFreeName(input.name, await takenNames(ctx.orgId, input.name));
        try {
          const { agent, apiKey } = await db.transaction((tx) =>
            insertAgent(tx, ctx.orgId, { ...fields, name }, auditIdentity(ctx.actor)),
          );
          const note = suffixNote(input.name, name);
          return { ...agent, api_key: apiKey, ...(note ? { _note: note } : {}) };
        } catch (error) {
          if (!isUniqueViolation(error, NAME_UNIQUE) || attempt >= NAME_ATTEMPTS) throw error;
        }
      }
    },

    async list(ctx: AuthContext, filter: ListAgentsQuery): Promise<Agent[]> {
      const rows = await db
        .select()
        .from(agents)
        .where(
          and(
            eq(agents.orgId, ctx.orgId),
            filter.status ? eq(agents.status, filter.status) : undefined,
            filter.policy_id ? eq(agents.policyId, filter.policy_id) : undefined,
          ),
        )
        .orderBy(desc(agents.createdAt), desc(agents.id));
      return rows.map(toAgent);
    },

    async get(ctx: AuthContext, id: string): Promise<Agent> {
      return toAgent(await getRow(ctx, id));
    },

    stats(ctx: AuthContext): Promise<AllAgentStats> {
      return agentSpend(db, ctx.orgId);
    },

    /** PUT: every settable field may be given; omitted fields keep their value (none is required). */
    async update(ctx: AuthContext, id: string, input: UpdateAgentInput): Promise<Agent> {
      return applyChanges(ctx, await getRow(ctx, id), input);
    },

    /** PATCH: the narrower field set; changing the owner is the `agents.reassign` right, held by admins. */
    async patch(ctx: AuthContext, id: string, input: PatchAgentInput): Promise<Agent> {
      const existing = await getRow(ctx, id);
      if (input.member_id !== undefined) requireScope(ctx, 'admin');
      return applyChanges(ctx, existing, input);
    },

    /** The old key stops working at once: only the new hash is kept. Emits `agent.updated` (a new `api_key_prefix`). */
    async rotateKey(
      ctx: AuthContext,
      id: string,
    ): Promise<{ message: string; api_key: string; api_key_prefix: string }> {
      const { apiKey, apiKeyHash, apiKeyPrefix } = issueAgentKey();
      const audit = auditIdentity(ctx.actor);
      await db.transaction(async (tx) => {
        const before = await lockRow(tx, ctx, id);
        const now = clock.now();
        const row = returnedRow(
          await tx
            .update(agents)
            .set({
              apiKeyHash,
              apiKeyPrefix,
              apiKeyRotatedAt: now,
              updatedAt: now,
              updatedBy: audit.by,
              updatedByTokenId: audit.tokenId,
            })
            .where(eq(agents.id, before.id))
            .returning(),
        );
        await recordAgentChange(tx, before, row, eventActor(audit), now);
      });
      return {
        message: 'API key rotated; the previous key no longer works',
        api_key: apiKey,
        api_key_prefix: apiKeyPrefix,
      };
    },

    /** Upsert by name: updates the agent of that name, else creates it (no suffixing; policy_id required). */
    async upsertByName(ctx: AuthContext, name: string, input: UpsertAgentInput): Promise<UpsertedAgent> {
      const existing = await findRow(ctx, { name });
      if (existing) return { created: false, data: await applyChanges(ctx, existing, input) };
      if (input.policy_id === undefined) {
        throw invalid('policy_id is required to create an agent', { policy_id: 'Required when the agent is created' });
      }
      const fields: NewAgent = { name, ...(await newAgentFields(ctx.orgId, { ...input, policy_id: input.policy_id })) };
      try {
        const { agent, apiKey } = await db.transaction((tx) =>
          insertAgent(tx, ctx.orgId, fields, auditIdentity(ctx.actor)),
        );
        return { created: true, data: { ...agent, api_key: apiKey } };
      } catch (error) {
        if (!isUniqueViolation(error, NAME_UNIQUE)) throw error;
        // Created concurrently under the same name: this call becomes the update.
        const raced = await findRow(ctx, { name });
        if (!raced) throw error;
        return { created: false, data: await applyChanges(ctx, raced, input) };
      }
    },

    /** The proxy's lookup: the agent (any status, so the caller can refuse a disabled one) or null. */
    async authenticateAgentKey(plaintext: string): Promise<AgentRow | null> {
      const hash = agentKeyHash(plaintext);
      if (!hash) return null;
      const [row] = await db.select().from(agents).where(eq(agents.apiKeyHash, hash));
      return row ?? null;
    },
  };
}

export type AgentService = ReturnType<typeof createAgentService>;
