import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  allOperations,
  CreateAccountInput,
  CreateAdminTokenInput,
  CreateAgentInput,
  CreateAlertRuleInput,
  CreatePolicyInput,
  CreateToolStepInput,
  CreateWebhookInput,
  expiresInToMs,
  ListRunsQuery,
  operations,
  RunCompletionInput,
  RungateRequestHeaders,
  UpdateAlertRuleInput,
  UpdatePolicyInput,
  VerifyAuthInput,
} from '../src/index.ts';

const policyId = '7f1c2a9e-4b7d-4c1e-9a55-0d2f3e4a5b6c';

const issuePaths = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) =>
  result.error?.issues.map((issue) => issue.path.join('.')) ?? [];

describe('CreateAgentInput', () => {
  it('accepts a valid agent and keeps weighted keys', () => {
    const input = CreateAgentInput.parse({
      name: 'crawler',
      policy_id: policyId,
      provider_keys: { openai: 'key-1', anthropic: [{ key_id: 'key-2', weight: 70 }] },
    });
    expect(input.provider_keys?.anthropic).toEqual([{ key_id: 'key-2', weight: 70 }]);
  });

  it('requires name and policy_id', () => {
    expect(issuePaths(CreateAgentInput.safeParse({}))).toEqual(['name', 'policy_id']);
  });

  it('rejects wrong types and out-of-range weights', () => {
    expect(CreateAgentInput.safeParse({ name: 42, policy_id: policyId }).success).toBe(false);
    expect(CreateAgentInput.safeParse({ name: 'a', policy_id: 'not-a-uuid' }).success).toBe(false);
    const heavy = { name: 'a', policy_id: policyId, provider_keys: { openai: [{ key_id: 'k', weight: 101 }] } };
    expect(CreateAgentInput.safeParse(heavy).success).toBe(false);
  });

  it('drops unknown fields instead of failing (lenient input)', () => {
    const input = CreateAgentInput.parse({ name: 'a', policy_id: policyId, api_key_hash: 'x' });
    expect(input).not.toHaveProperty('api_key_hash');
  });
});

describe('policy inputs', () => {
  it('rejects unknown outcome_defaults keys (additionalProperties: false)', () => {
    expect(CreatePolicyInput.safeParse({ name: 'p', outcome_defaults: { agent_signaled: 'failed' } }).success).toBe(
      true,
    );
    expect(CreatePolicyInput.safeParse({ name: 'p', outcome_defaults: { made_up: 'failed' } }).success).toBe(false);
    expect(CreatePolicyInput.safeParse({ name: 'p', outcome_defaults: null }).success).toBe(true);
  });

  it('bounds approval_expiry_ms and connect_timeout_ms', () => {
    expect(CreatePolicyInput.safeParse({ name: 'p', approval_expiry_ms: 59_999 }).success).toBe(false);
    expect(CreatePolicyInput.safeParse({ name: 'p', approval_expiry_ms: 604_800_001 }).success).toBe(false);
    expect(CreatePolicyInput.safeParse({ name: 'p', approval_expiry_ms: 60_000 }).success).toBe(true);
    expect(CreatePolicyInput.safeParse({ name: 'p', routing: { connect_timeout_ms: 999 } }).success).toBe(false);
    expect(CreatePolicyInput.safeParse({ name: 'p', routing: { connect_timeout_ms: 600_001 } }).success).toBe(false);
  });

  it('requires connect_timeout_ms <= timeout_ms when both are sent', () => {
    const result = CreatePolicyInput.safeParse({ name: 'p', routing: { timeout_ms: 5000, connect_timeout_ms: 6000 } });
    expect(issuePaths(result)).toEqual(['routing.connect_timeout_ms']);
    expect(
      CreatePolicyInput.safeParse({ name: 'p', routing: { timeout_ms: 5000, connect_timeout_ms: 5000 } }).success,
    ).toBe(true);
  });

  it('lets an update omit the name and applies no defaults', () => {
    expect(UpdatePolicyInput.parse({ dry_run: true })).toEqual({ dry_run: true });
    expect(CreatePolicyInput.safeParse({ dry_run: true }).success).toBe(false);
  });
});

describe('query parsing', () => {
  it('coerces strings and applies defaults', () => {
    expect(ListRunsQuery.parse({})).toEqual({ order: 'desc', limit: 50, offset: 0 });
    expect(ListRunsQuery.parse({ limit: '20', offset: '40', had_failover: 'true' })).toMatchObject({
      limit: 20,
      offset: 40,
      had_failover: true,
    });
  });

  it('rejects limits over the cap and bad flags', () => {
    expect(ListRunsQuery.safeParse({ limit: '201' }).success).toBe(false);
    expect(ListRunsQuery.safeParse({ limit: 'ten' }).success).toBe(false);
    expect(ListRunsQuery.safeParse({ had_failover: 'yes' }).success).toBe(false);
  });

  it('uses the per-endpoint limits', () => {
    expect(operations.analytics.top.query.parse({ metric: 'spend', entity: 'agent' }).limit).toBe(10);
    expect(operations.analytics.top.query.safeParse({ metric: 'spend', entity: 'agent', limit: '101' }).success).toBe(
      false,
    );
    expect(operations.policies.costTrend.query.parse({}).limit).toBe(100);
    expect(operations.analytics.cleanupPreview.query.parse({}).days).toBe(30);
  });
});

describe('defaults on create', () => {
  it('fills account defaults and checks the slug', () => {
    expect(CreateAccountInput.parse({ slug: 'acme-corp', name: 'Acme' })).toMatchObject({
      tier: 'free',
      status: 'active',
      is_hosted: false,
    });
    for (const slug of ['ab', 'Acme', '-acme', 'acme_corp', 'a'.repeat(51), 'api']) {
      expect(CreateAccountInput.safeParse({ slug, name: 'Acme' }).success, slug).toBe(false);
    }
  });

  it('defaults cooldown on create but not on update', () => {
    expect(CreateAlertRuleInput.parse({ name: 'r', condition_type: 'error_rate' }).cooldown_seconds).toBe(300);
    expect(UpdateAlertRuleInput.parse({ name: 'r' })).toEqual({ name: 'r' });
    expect(CreateAlertRuleInput.safeParse({ name: 'r', condition_type: 'rate_limit_approaching' }).success).toBe(false);
  });

  it('fills tool step defaults', () => {
    expect(CreateToolStepInput.parse({ type: 'tool_call', name: 'web_search', status: 'success' })).toEqual({
      type: 'tool_call',
      name: 'web_search',
      status: 'success',
      provider: 'sdk',
      tokens: { input: 0, output: 0, cache_read: 0, cache_creation: 0 },
      cost_usd: 0,
    });
  });

  it('defaults the ended_reason of a completion but not its outcome', () => {
    expect(RunCompletionInput.parse({})).toEqual({ ended_reason: 'agent_signaled' });
    expect(RunCompletionInput.safeParse({ outcome_reason: 'x'.repeat(1025) }).success).toBe(false);
  });
});

describe('other rules', () => {
  it('validates admin token durations and scopes', () => {
    expect(CreateAdminTokenInput.safeParse({ name: 't', scopes: ['read'], expires_in: '30d' }).success).toBe(true);
    expect(CreateAdminTokenInput.safeParse({ name: 't', scopes: ['read'], expires_in: '30 days' }).success).toBe(false);
    expect(CreateAdminTokenInput.safeParse({ name: 't', scopes: [] }).success).toBe(false);
    expect(CreateAdminTokenInput.safeParse({ name: 't', scopes: ['root'] }).success).toBe(false);
    expect(expiresInToMs('30d')).toBe(30 * 86_400_000);
  });

  it('needs at least one known webhook event and an http(s) url', () => {
    const base = { name: 'w', url: 'https://example.com/hook', events: ['run.completed'] };
    expect(CreateWebhookInput.safeParse(base).success).toBe(true);
    expect(CreateWebhookInput.safeParse({ ...base, events: [] }).success).toBe(false);
    expect(CreateWebhookInput.safeParse({ ...base, events: ['run.exploded'] }).success).toBe(false);
    expect(CreateWebhookInput.safeParse({ ...base, url: 'ftp://example.com' }).success).toBe(false);
  });

  it('verifies with a token or a code plus email', () => {
    expect(VerifyAuthInput.safeParse({ token: 'abc' }).success).toBe(true);
    expect(VerifyAuthInput.safeParse({ code: '123456', email: 'a@example.com' }).success).toBe(true);
    expect(VerifyAuthInput.safeParse({ code: '123456' }).success).toBe(false);
  });

  it('passes other headers through the proxy header schema', () => {
    const headers = RungateRequestHeaders.parse({ authorization: 'Bearer x', 'x-rungate-new-run': 'true' });
    expect(headers.authorization).toBe('Bearer x');
    expect(RungateRequestHeaders.safeParse({ 'x-rungate-new-run': 'yes' }).success).toBe(false);
  });
});

describe('operation registry', () => {
  it('has one entry per route whose success status is among its responses', () => {
    const routes = allOperations.map((operation) => `${operation.method} ${operation.path}`);
    expect(new Set(routes).size).toBe(routes.length);
    for (const operation of allOperations) {
      expect(Object.keys(operation.responses), operation.operationId).toContain(String(operation.successStatus));
    }
  });

  it('converts every schema to JSON Schema without fallbacks (requests as input, responses as output)', () => {
    for (const operation of allOperations) {
      for (const part of [operation.params, operation.query, operation.headers, operation.body]) {
        if (part) expect(() => z.toJSONSchema(part, { io: 'input' }), operation.operationId).not.toThrow();
      }
      for (const schema of Object.values(operation.responses)) {
        if (schema) expect(() => z.toJSONSchema(schema, { io: 'output' }), operation.operationId).not.toThrow();
      }
    }
  });

  it('exposes readable names', () => {
    expect(operations.agents.create).toMatchObject({ method: 'POST', path: '/api/agents', successStatus: 201 });
    expect(operations.proxy.chatCompletions.auth).toBe('agent');
    expect(operations.health.get.auth).toBe('none');
  });
});
