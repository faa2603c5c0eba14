import { anthropicUsage, mergeAnthropicUsage } from '../anthropic/usage.ts';
import { countField, objectField, parseJsonObject, stringField } from '../json.ts';
import { defaultClock, StreamState } from '../stream-state.ts';
import type { JsonObject, StreamOptions, StreamTransformer, Usage } from '../types.ts';
import { type Emit, OPENAI_DONE, openAIEvent, translatingTransformer } from './sse-output.ts';
import { openAIFinishReason } from './stop-reasons.ts';
import { openAIUsageBody } from './usage.ts';

/**
 * An Anthropic event stream re-encoded as OpenAI `chat.completion.chunk`s as events arrive. The
 * report describes the upstream stream exactly as the Anthropic transformer would (its stop
 * reason stays Anthropic's), so accounting is the same as for an untranslated call.
 */
export function createAnthropicToOpenAIStream(
  { clientWantsUsage, clock = defaultClock }: StreamOptions,
  created: number = Math.floor(Date.now() / 1000),
): StreamTransformer {
  const state = new StreamState(clock);
  let id = '';
  let model = '';
  let usage: Usage | null = null;
  let finished = false;
  /** Anthropic block index -> OpenAI tool call index. */
  const toolCalls = new Map<number, number>();

  // With include_usage OpenAI sends `usage: null` on every chunk but the usage chunk.
  const chunk = (delta: JsonObject, finishReason: string | null = null) =>
    openAIEvent({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(clientWantsUsage ? { usage: null } : {}),
    });
  const toolDelta = (call: JsonObject) => chunk({ tool_calls: [call] });

  const finish = (emit: Emit, stopReason: string | null) => {
    if (finished) return;
    finished = true;
    emit(chunk({}, openAIFinishReason(stopReason) ?? 'stop'));
  };

  const onData = (data: JsonObject, type: string | null, emit: Emit) => {
    switch (type) {
      case 'message_start': {
        const message = objectField(data, 'message');
        if (!message) return;
        id = stringField(message, 'id') ?? id;
        model = stringField(message, 'model') ?? model;
        state.identify(stringField(message, 'id'), stringField(message, 'model'));
        const startUsage = objectField(message, 'usage');
        if (startUsage) usage = anthropicUsage(startUsage);
        emit(chunk({ role: 'assistant', content: '' }));
        return;
      }
      case 'content_block_start': {
        const block = objectField(data, 'content_block');
        const index = countField(data, 'index');
        if (!block || index === null) return;
        const blockType = stringField(block, 'type');
        const text = stringField(block, 'text');
        if (blockType === 'text' && text) emit(chunk({ content: text }));
        if (blockType === 'tool_use') {
          const callIndex = toolCalls.size;
          toolCalls.set(index, callIndex);
          const fn = { name: stringField(block, 'name') ?? '', arguments: '' };
          emit(toolDelta({ index: callIndex, id: stringField(block, 'id') ?? '', type: 'function', function: fn }));
        }
        return;
      }
      case 'content_block_delta': {
        const delta = objectField(data, 'delta');
        if (!delta) return;
        const deltaType = stringField(delta, 'type');
        const text = stringField(delta, 'text');
        if (deltaType === 'text_delta' && text) emit(chunk({ content: text }));
        const callIndex = toolCalls.get(countField(data, 'index') ?? -1);
        const partial = stringField(delta, 'partial_json');
        if (deltaType === 'input_json_delta' && callIndex !== undefined && partial) {
          emit(toolDelta({ index: callIndex, function: { arguments: partial } }));
        }
        return;
      }
      case 'message_delta': {
        const delta = objectField(data, 'delta');
        const stopReason = delta && stringField(delta, 'stop_reason');
        state.stopped(stopReason);
        if (stopReason) finish(emit, stopReason);
        const deltaUsage = objectField(data, 'usage');
        if (deltaUsage) usage = usage ? mergeAnthropicUsage(usage, deltaUsage) : anthropicUsage(deltaUsage);
        return;
      }
      case 'message_stop':
        state.completed();
        finish(emit, null);
        if (clientWantsUsage && usage) {
          emit(
            openAIEvent({
              id,
              object: 'chat.completion.chunk',
              created,
              model,
              choices: [],
              usage: openAIUsageBody(usage),
            }),
          );
        }
        emit(OPENAI_DONE);
        return;
      case 'error': {
        const error = objectField(data, 'error');
        const info = { type: error && stringField(error, 'type'), message: error && stringField(error, 'message') };
        state.failed(info);
        emit(
          openAIEvent({
            error: {
              message: info.message ?? 'The provider failed mid-stream',
              type: info.type ?? 'api_error',
              param: null,
              code: null,
            },
          }),
        );
        return;
      }
    }
  };

  return translatingTransformer(
    {
      event(event, emit) {
        state.eventArrived();
        const data = parseJsonObject(event.data);
        if (!data) {
          state.malformed();
          return;
        }
        onData(data, stringField(data, 'type') ?? event.event, emit);
        if (usage) state.usage(usage);
      },
      // A stream cut short gets no `[DONE]`: that marker would tell the client it is complete.
      end() {},
    },
    state,
  );
}
