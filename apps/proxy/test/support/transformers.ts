import { anthropicAdapter, openAIAdapter, type StreamTransformer } from '../../src/index.ts';

export function openAIStream(clientWantsUsage: boolean, clock?: () => number): StreamTransformer {
  return openAIAdapter.createStreamTransformer(clock ? { clientWantsUsage, clock } : { clientWantsUsage });
}

export function anthropicStream(clock?: () => number): StreamTransformer {
  return anthropicAdapter.createStreamTransformer(clock ? { clientWantsUsage: true, clock } : { clientWantsUsage: true });
}
