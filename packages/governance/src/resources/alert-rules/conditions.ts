import { AlertConditionConfigs, type AlertConditionType } from '@rungate/contracts';
import { invalid } from '../../errors.ts';

export type ConditionConfig = AlertConditionConfigs[AlertConditionType];

/** The stored config with defaults filled in, or null when it no longer fits its condition type. */
export function readConditionConfig<K extends AlertConditionType>(
  type: K,
  raw: unknown,
): AlertConditionConfigs[K] | null {
  const parsed = AlertConditionConfigs[type].safeParse(raw);
  return parsed.success ? (parsed.data as AlertConditionConfigs[K]) : null;
}

/**
 * Validates a config on write and fills in its defaults (stored that way, so reads show what is
 * evaluated). A bad one is a 400 naming each field as `condition_config.<field>`.
 */
export function normalizeConditionConfig(type: AlertConditionType, raw: Record<string, unknown>): ConditionConfig {
  const parsed = AlertConditionConfigs[type].safeParse(raw);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    for (const path of paths) fields[['condition_config', ...path.map(String)].join('.')] ??= issue.message;
  }
  throw invalid(`Invalid condition_config for ${type}`, fields);
}
