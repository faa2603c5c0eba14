import Anthropic from '@anthropic-ai/sdk';
import { agentSpendMinutes, budgetReservations, ledgerEntries, runs, steps } from '@rungate/db';
import { and, asc, eq, sql } from 'drizzle-orm';
import OpenAI from 'openai';
import type { ProxyHarness } from './harness.ts';

/** Helpers for integration tests that call the proxy through the official SDKs and read what it wrote. */

export type Headers = Record<string, string>;

export const chatBody = (extra: Record<string, unknown> = {}): OpenAI.ChatCompletionCreateParamsNonStreaming =>
  ({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Say hello' }],
    ...extra,
  }) as OpenAI.ChatCompletionCreateParamsNonStreaming;

export const messagesBody = (extra: Record<string, unknown> = {}): Anthropic.MessageCreateParamsNonStreaming =>
  ({
    model: 'claude-3-5-haiku-latest',
    max_tokens: 256,
    messages: [{ role: 'user', content: 'Say hello' }],
    ...extra,
  }) as Anthropic.MessageCreateParamsNonStreaming;

/** A non-streaming Chat Completions call; resolves with the completion and the response headers. */
export async function chat(client: OpenAI, extra: Record<string, unknown> = {}, headers: Headers = {}) {
  const { data, response } = await client.chat.completions.create(chatBody(extra), { headers }).withResponse();
  return { data, headers: response.headers };
}

/** A non-streaming Messages call; resolves with the message and the response headers. */
export async function message(client: Anthropic, extra: Record<string, unknown> = {}, headers: Headers = {}) {
  const { data, response } = await client.messages.create(messagesBody(extra), { headers }).withResponse();
  return { data, headers: response.headers };
}

/** The SDK error a refused call rejects with, with the proxy's JSON body under `body`. */
export async function refusal(
  promise: Promise<unknown>,
): Promise<{ status: number; headers: globalThis.Headers; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    // OpenAI's SDK keeps the body's `error` member; Anthropic's keeps the whole body.
    if (error instanceof OpenAI.APIError)
      return {
        status: error.status as number,
        headers: error.headers as globalThis.Headers,
        body: { error: error.error },
      };
    if (error instanceof Anthropic.APIError)
      return {
        status: error.status as number,
        headers: error.headers as globalThis.Headers,
        body: error.error as Record<string, unknown>,
      };
    throw error;
  }
  throw new Error('The call was expected to fail');
}

/** A raw POST to the proxy, for what the SDKs hide (202 bodies, exact status and headers). */
export async function post(h: ProxyHarness, path: string, body: unknown, headers: Headers = {}, key = h.agent.key) {
  const response = await fetch(`${h.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, body: json as Record<string, any> };
}

export async function runRow(h: ProxyHarness, id: string) {
  const [row] = await h.services.deps.db.select().from(runs).where(eq(runs.id, id));
  if (!row) throw new Error(`run ${id} not found`);
  return row;
}

export const agentRuns = (h: ProxyHarness, agentId = h.agent.id) =>
  h.services.deps.db.select().from(runs).where(eq(runs.agentId, agentId)).orderBy(asc(runs.startedAt));

export const runSteps = (h: ProxyHarness, runId: string) =>
  h.services.deps.db.select().from(steps).where(eq(steps.runId, runId)).orderBy(asc(steps.stepNumber));

export const stepRow = async (h: ProxyHarness, id: string) => {
  const [row] = await h.services.deps.db.select().from(steps).where(eq(steps.id, id));
  if (!row) throw new Error(`step ${id} not found`);
  return row;
};

export const runLedger = (h: ProxyHarness, runId: string) =>
  h.services.deps.db.select().from(ledgerEntries).where(eq(ledgerEntries.runId, runId));

/** The agent's ledger and its spend per minute (what the hourly cap counts), minute by minute. */
export async function spendByMinute(h: ProxyHarness, agentId: string) {
  const db = h.services.deps.db;
  const minute = sql<string>`to_char(date_trunc('minute', ${ledgerEntries.createdAt}), 'YYYY-MM-DD HH24:MI')`;
  const ledger = await db
    .select({ minute, usd: sql<string>`sum(${ledgerEntries.costUsd})::numeric(20, 10)::text` })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.agentId, agentId), sql`${ledgerEntries.costUsd} > 0`))
    .groupBy(minute)
    .orderBy(minute);
  const counted = await db
    .select({
      minute: sql<string>`to_char(${agentSpendMinutes.minute}, 'YYYY-MM-DD HH24:MI')`,
      usd: sql<string>`${agentSpendMinutes.costUsd}::text`,
    })
    .from(agentSpendMinutes)
    .where(eq(agentSpendMinutes.agentId, agentId))
    .orderBy(agentSpendMinutes.minute);
  return { ledger, counted };
}

export const openHolds = (h: ProxyHarness) => h.services.deps.db.select().from(budgetReservations);

/** Sum of decimal strings with 10 places, exactly. */
export function sumUsd(values: string[]): string {
  const units = values.reduce((total, value) => total + toUnits(value), 0n);
  return fromUnits(units);
}

export function toUnits(value: string): bigint {
  const [whole = '0', fraction = ''] = value.split('.');
  const negative = whole.startsWith('-');
  const units = BigInt(whole.replace('-', '')) * 10n ** 10n + BigInt((fraction + '0'.repeat(10)).slice(0, 10));
  return negative ? -units : units;
}

export function fromUnits(units: bigint): string {
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  return `${sign}${abs / 10n ** 10n}.${(abs % 10n ** 10n).toString().padStart(10, '0')}`;
}

/** Polls until `check` passes (settlement after a stream or a disconnect happens after the response). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
