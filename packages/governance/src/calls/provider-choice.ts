import type { AgentProviderKeys } from '@rungate/contracts';

/**
 * The provider and key ids a call goes to, before routing chains (issue 4): Anthropic-format
 * calls to the agent's `anthropic` keys; OpenAI-format calls to its `openai` keys, else to the
 * first other OpenAI-compatible provider it has. Weighted keys are tried heaviest first.
 */
export function chooseProvider(bindings: AgentProviderKeys, format: 'openai' | 'anthropic'): { provider: string; keyIds: string[] } | null {
  const provider =
    format === 'anthropic'
      ? 'anthropic' in bindings
        ? 'anthropic'
        : null
      : 'openai' in bindings
        ? 'openai'
        : (Object.keys(bindings).find((p) => p !== 'anthropic') ?? null);
  if (!provider) return null;
  const binding = bindings[provider]!;
  const keyIds = typeof binding === 'string' ? [binding] : [...binding].sort((a, b) => b.weight - a.weight).map((k) => k.key_id);
  return { provider, keyIds };
}
