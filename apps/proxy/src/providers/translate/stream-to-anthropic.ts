import { countField, objectField, objectsField, parseJsonObject, stringField } from '../json.ts';
import { openAIUsage } from '../openai/usage.ts';
import { defaultClock, StreamState } from '../stream-state.ts';
import type { JsonObject, StreamOptions, StreamTransformer, Usage } from '../types.ts';
import { anthropicEvent, type Emit, translatingTransformer } from './sse-output.ts';
import { anthropicStopReason } from './stop-reasons.ts';
import { anthropicUsageBody, ZERO_USAGE } from './usage.ts';

/**
 * An OpenAI chunk stream re-encoded as Anthropic events as chunks arrive: `message_start` on the
 * first chunk, a text or `tool_use` block opened whenever text or a new tool call appears (the
 * previous one closed), and `message_delta` + `message_stop` at `[DONE]`, after OpenAI's usage
 * chunk. OpenAI reports usage only at the end, so `message_start` carries zeros and the final
 * figures (input and cache included) come in `message_delta`, which Anthropic's SDK applies.
 * The report describes the upstream stream as the OpenAI transformer would.
 */
export function createOpenAIToAnthropicStream({ clock = defaultClock }: StreamOptions): StreamTransformer {
  const state = new StreamState(clock);
  let started = false;
  let done = false;
  let nextBlock = 0;
  /** The open content block: its index and, for a tool call, OpenAI's tool call index. */
  let open: { index: number; toolCall: number | null } | null = null;
  /** OpenAI tool call index -> Anthropic block index. */
  const toolBlocks = new Map<number, number>();
  let finishReason: string | null = null;
  let usage: Usage | null = null;

  const close = (emit: Emit) => {
    if (!open) return;
    emit(anthropicEvent('content_block_stop', { index: open.index }));
    open = null;
  };
  const openBlock = (emit: Emit, block: JsonObject, toolCall: number | null) => {
    close(emit);
    open = { index: nextBlock++, toolCall };
    emit(anthropicEvent('content_block_start', { index: open.index, content_block: block }));
    return open.index;
  };
  const text = (emit: Emit, value: string | null) => {
    if (!value) return;
    const index = open && open.toolCall === null ? open.index : openBlock(emit, { type: 'text', text: '' }, null);
    emit(anthropicEvent('content_block_delta', { index, delta: { type: 'text_delta', text: value } }));
  };
  const toolCall = (emit: Emit, call: JsonObject) => {
    const callIndex = countField(call, 'index') ?? 0;
    const fn = objectField(call, 'function');
    let index = toolBlocks.get(callIndex);
    if (index === undefined) {
      const id = stringField(call, 'id') ?? `toolu_${callIndex}`;
      index = openBlock(
        emit,
        { type: 'tool_use', id, name: (fn && stringField(fn, 'name')) ?? '', input: {} },
        callIndex,
      );
      toolBlocks.set(callIndex, index);
    }
    const partial = fn && stringField(fn, 'arguments');
    if (partial)
      emit(
        anthropicEvent('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: partial } }),
      );
  };
  const finish = (emit: Emit) => {
    if (done) return;
    done = true;
    close(emit);
    emit(
      anthropicEvent('message_delta', {
        delta: { stop_reason: anthropicStopReason(finishReason) ?? 'end_turn', stop_sequence: null },
        usage: anthropicUsageBody(usage ?? ZERO_USAGE),
      }),
    );
    emit(anthropicEvent('message_stop', {}));
  };

  const onChunk = (chunk: JsonObject, emit: Emit) => {
    const error = objectField(chunk, 'error');
    if (error) {
      const info = {
        type: stringField(error, 'type') ?? stringField(error, 'code'),
        message: stringField(error, 'message'),
      };
      state.failed(info);
      emit(
        anthropicEvent('error', {
          error: { type: info.type ?? 'api_error', message: info.message ?? 'The provider failed mid-stream' },
        }),
      );
      return;
    }
    state.identify(stringField(chunk, 'id'), stringField(chunk, 'model'));
    if (!started) {
      started = true;
      const message = {
        id: stringField(chunk, 'id') ?? '',
        type: 'message',
        role: 'assistant',
        model: stringField(chunk, 'model') ?? '',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: anthropicUsageBody(ZERO_USAGE),
      };
      emit(anthropicEvent('message_start', { message }));
    }
    // Rungate never asks for more than one choice; only the first is the conversation.
    const choice = objectsField(chunk, 'choices').find((c) => (countField(c, 'index') ?? 0) === 0);
    const delta = choice && objectField(choice, 'delta');
    if (delta) {
      text(emit, stringField(delta, 'content'));
      text(emit, stringField(delta, 'refusal'));
      for (const call of objectsField(delta, 'tool_calls')) toolCall(emit, call);
    }
    const reason = choice && stringField(choice, 'finish_reason');
    if (reason) {
      finishReason = reason;
      state.stopped(reason);
      close(emit);
    }
    const chunkUsage = objectField(chunk, 'usage');
    if (chunkUsage) {
      usage = openAIUsage(chunkUsage);
      state.usage(usage);
    }
  };

  return translatingTransformer(
    {
      event(event, emit) {
        state.eventArrived();
        if (event.data === '[DONE]') {
          state.completed();
          if (started) finish(emit);
          return;
        }
        const chunk = parseJsonObject(event.data);
        if (chunk) onChunk(chunk, emit);
        else state.malformed();
      },
      // Some OpenAI-compatible providers end without `[DONE]`; a stream that did finish its
      // choice is still closed properly for the client. One cut short is left open.
      end(emit) {
        if (started && finishReason !== null) finish(emit);
      },
    },
    state,
  );
}
