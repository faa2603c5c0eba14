import { anthropicAdapter } from '../../src/providers/anthropic/index.ts';
import { openAIAdapter } from '../../src/providers/openai/index.ts';
import type { StreamTransformer } from '../../src/providers/types.ts';

export function openAIStream(clientWantsUsage: boolean, clock?: () => number): StreamTransformer {
  return openAIAdapter.createStreamTransformer(clock ? { clientWantsUsage, clock } : { clientWantsUsage });
}

export function anthropicStream(clock?: () => number): StreamTransformer {
  return anthropicAdapter.createStreamTransformer(
    clock ? { clientWantsUsage: true, clock } : { clientWantsUsage: true },
  );
}
