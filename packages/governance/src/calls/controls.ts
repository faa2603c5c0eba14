import { invalid } from '../errors.ts';

/** Run controls a call may carry, as headers or top-level body fields (headers win). */
export interface RunControls {
  runId: string | null;
  runPolicy: string | null;
  runName: string | null;
  runMetadata: Record<string, unknown> | null;
  newRun: boolean;
}

type Raw = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function pick(headers: Raw, body: Raw, name: string): unknown {
  const header = headers[name];
  if (typeof header === 'string' && header !== '') return header;
  return body[name];
}

function text(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw invalid(`${field} must be a string`, { [field]: 'Must be a string' });
  if (value.length > max) throw invalid(`${field} is too long`, { [field]: `At most ${max} characters` });
  return value;
}

function metadata(value: unknown): Record<string, unknown> | null {
  if (value === undefined || value === null || value === '') return null;
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalid('x-rungate-run-metadata must be a JSON object', { 'x-rungate-run-metadata': 'Not valid JSON' });
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('x-rungate-run-metadata must be a JSON object', {
      'x-rungate-run-metadata': 'Must be a JSON object',
    });
  }
  return parsed as Record<string, unknown>;
}

function flag(value: unknown): boolean {
  if (value === true) return true;
  return typeof value === 'string' && ['true', '1', 'yes'].includes(value.toLowerCase());
}

export function parseRunControls(headers: Raw, body: Raw): RunControls {
  const runId = text(pick(headers, body, 'x-rungate-run-id'), 'x-rungate-run-id', 64);
  if (runId !== null && !UUID.test(runId))
    throw invalid('x-rungate-run-id must be a UUID', { 'x-rungate-run-id': 'Must be a UUID' });
  return {
    runId: runId?.toLowerCase() ?? null,
    runPolicy: text(pick(headers, body, 'x-rungate-run-policy'), 'x-rungate-run-policy', 200),
    runName: text(pick(headers, body, 'x-rungate-run-name'), 'x-rungate-run-name', 500),
    runMetadata: metadata(pick(headers, body, 'x-rungate-run-metadata')),
    newRun: flag(pick(headers, body, 'x-rungate-new-run')),
  };
}
