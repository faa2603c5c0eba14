/**
 * Stop reasons between the formats. Both directions lose a little: OpenAI's `stop` covers both a
 * natural end and a matched stop sequence, and Anthropic has reasons OpenAI has no word for.
 */

const TO_OPENAI: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

const TO_ANTHROPIC: Readonly<Record<string, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/** An Anthropic `stop_reason` as an OpenAI `finish_reason` (unknown reasons end the turn). */
export function openAIFinishReason(stopReason: string | null): string | null {
  if (stopReason === null) return null;
  return Object.hasOwn(TO_OPENAI, stopReason) ? (TO_OPENAI[stopReason] as string) : 'stop';
}

/** An OpenAI `finish_reason` as an Anthropic `stop_reason` (unknown reasons end the turn). */
export function anthropicStopReason(finishReason: string | null): string | null {
  if (finishReason === null) return null;
  return Object.hasOwn(TO_ANTHROPIC, finishReason) ? (TO_ANTHROPIC[finishReason] as string) : 'end_turn';
}
