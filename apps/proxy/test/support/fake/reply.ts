/** Shapes shared by the fake's two wire formats. */

export type FakeFormat = 'openai' | 'anthropic';
export type Json = Record<string, unknown>;

export interface FakeUsage {
  /** Uncached input tokens (OpenAI's `prompt_tokens` is this plus `cacheRead`). */
  input: number;
  output: number;
  cacheRead: number;
  /** Anthropic only: OpenAI has no cache-creation field. */
  cacheCreation: number;
}

/** What the fake answers, before it is written in one format or the other. */
export interface Reply {
  id: string;
  toolCallId: string;
  model: string;
  text: string;
  toolCall: { name: string; arguments: Record<string, unknown> } | null;
  usage: FakeUsage;
}

export const created = () => Math.floor(Date.now() / 1000);

export function offeredTools(format: FakeFormat, body: Json): string[] {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
  return tools
    .map((tool) => (format === 'openai' ? (isObject(tool.function) ? tool.function.name : undefined) : tool.name))
    .filter((name): name is string => typeof name === 'string');
}

/** After a tool result the model answers in text, so agent loops terminate. */
export function endsWithToolResult(format: FakeFormat, body: Json): boolean {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last: unknown = messages[messages.length - 1];
  if (!isObject(last)) return false;
  if (format === 'openai') return last.role === 'tool';
  return (
    last.role === 'user' &&
    Array.isArray(last.content) &&
    last.content.some((block) => isObject(block) && block.type === 'tool_result')
  );
}

/** Splits text into word-sized streaming deltas (spaces kept). */
export function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

/** Splits JSON into fixed-size deltas, the way tool arguments stream. */
export function slices(text: string, size = 8): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [text];
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
