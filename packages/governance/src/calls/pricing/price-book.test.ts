import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../time/clock.ts';
import { costOf } from './cost.ts';
import type { PriceOverride } from './overrides.ts';
import { createPriceBook } from './price-book.ts';

const ORG_A = '00000000-0000-4000-8000-00000000000a';
const ORG_B = '00000000-0000-4000-8000-00000000000b';

const override = (row: Partial<PriceOverride> & Pick<PriceOverride, 'modelPattern'>): PriceOverride => ({
  orgId: null,
  provider: null,
  inputPerMillion: '1',
  outputPerMillion: '2',
  cacheReadPerMillion: null,
  cacheCreationPerMillion: null,
  ...row,
});

const rates = (price: ReturnType<ReturnType<typeof createPriceBook>['priceFor']>) =>
  price && {
    input: price.input.perMillion,
    output: price.output.perMillion,
    cacheRead: price.cacheRead.perMillion,
    cacheCreation: price.cacheCreation.perMillion,
  };

describe('library prices', () => {
  const book = createPriceBook();

  it('prices the common models (docs/decisions.md: non-zero)', () => {
    const common = [
      ['openai', 'gpt-4o'],
      ['openai', 'gpt-4o-mini'],
      ['anthropic', 'claude-sonnet-4-5'],
      ['anthropic', 'claude-3-5-haiku-latest'],
    ] as const;
    for (const [provider, model] of common) {
      const price = book.priceFor(provider, model);
      expect(price, `${provider}/${model}`).not.toBeNull();
      expect(Number(price?.input.perMillion)).toBeGreaterThan(0);
      expect(Number(price?.output.perMillion)).toBeGreaterThan(0);
    }
  });

  it('reads the listed figures per bucket, billing unlisted cache buckets as input', () => {
    expect(book.priceFor('openai', 'gpt-4o')).toMatchObject({ source: 'library', provider: 'openai', model: 'gpt-4o' });
    expect(rates(book.priceFor('openai', 'gpt-4o'))).toEqual({
      input: '2.5000000000',
      output: '10.0000000000',
      cacheRead: '1.2500000000',
      cacheCreation: '2.5000000000',
    });
    expect(rates(book.priceFor('openai', 'gpt-4o-mini'))).toEqual({
      input: '0.1500000000',
      output: '0.6000000000',
      cacheRead: '0.0750000000',
      cacheCreation: '0.1500000000',
    });
    expect(rates(book.priceFor('anthropic', 'claude-3-5-haiku-latest'))).toEqual({
      input: '0.8000000000',
      output: '4.0000000000',
      cacheRead: '0.0800000000',
      cacheCreation: '1.0000000000',
    });
  });

  it('keeps long-context tiers', () => {
    const sonnet = book.priceFor('anthropic', 'claude-sonnet-4-5');
    expect(sonnet?.input).toEqual({
      perMillion: '3.0000000000',
      tiers: [{ above: 200_000, perMillion: '6.0000000000' }],
    });
    expect(sonnet?.output).toEqual({
      perMillion: '15.0000000000',
      tiers: [{ above: 200_000, perMillion: '22.5000000000' }],
    });
    expect(sonnet?.cacheRead.perMillion).toBe('0.3000000000');
    expect(sonnet?.cacheCreation.perMillion).toBe('3.7500000000');
  });

  it('resolves dated snapshots and aliases to the listed model', () => {
    expect(book.priceFor('openai', 'gpt-4o-2024-08-06')).toMatchObject({ model: 'gpt-4o' });
    expect(book.priceFor('anthropic', 'claude-sonnet-4-5-20250929')).toMatchObject({ model: 'claude-sonnet-4-5' });
    expect(book.priceFor('anthropic', 'claude-3-5-haiku-latest')).toMatchObject({ model: 'claude-3-5-haiku-latest' });
  });

  it('matches an unknown provider identifier by model name, but not a known provider that lacks the model', () => {
    expect(book.priceFor('my-openai-proxy', 'gpt-4o')).toMatchObject({ provider: 'openai', model: 'gpt-4o' });
    expect(book.priceFor('openai', 'claude-3-5-haiku-latest')).toBeNull();
  });

  it('returns null for unknown models, never throws', () => {
    expect(book.priceFor('openai', 'no-such-model')).toBeNull();
    expect(book.priceFor('self-hosted', 'my-llama-7b')).toBeNull();
    expect(book.priceFor('', '')).toBeNull();
  });

  it('picks time-dependent prices for the moment of the call', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0));
    const timed = createPriceBook({ clock });
    // DeepSeek lists a daytime (00:30-16:30 UTC) rate and a cheaper rate for the rest of the day.
    const day = timed.priceFor('deepseek', 'deepseek-chat');
    clock.advance(6 * 3_600_000);
    const night = timed.priceFor('deepseek', 'deepseek-chat');
    expect(day?.input.perMillion).toBe('0.2700000000');
    expect(night?.input.perMillion).toBe('0.1350000000');
  });
});

describe('operator overrides', () => {
  it('win over the library', () => {
    const book = createPriceBook({
      overrides: [override({ modelPattern: 'gpt-4o', inputPerMillion: '9', outputPerMillion: '99' })],
    });
    expect(book.priceFor('openai', 'gpt-4o')).toMatchObject({
      source: 'override',
      provider: 'openai',
      model: 'gpt-4o',
    });
    expect(rates(book.priceFor('openai', 'gpt-4o'))).toEqual({
      input: '9.0000000000',
      output: '99.0000000000',
      cacheRead: '9.0000000000',
      cacheCreation: '9.0000000000',
    });
    expect(book.priceFor('openai', 'gpt-4o-mini')?.source).toBe('library');
  });

  it('price custom models by glob, with their own cache prices when set', () => {
    const book = createPriceBook({
      overrides: [
        override({ modelPattern: 'my-llama-*', cacheReadPerMillion: '0.1', cacheCreationPerMillion: '1.5000000000' }),
      ],
    });
    const price = book.priceFor('vllm', 'my-llama-70b');
    expect(rates(price)).toEqual({
      input: '1.0000000000',
      output: '2.0000000000',
      cacheRead: '0.1000000000',
      cacheCreation: '1.5000000000',
    });
    expect(price && costOf({ input: 1000, output: 1000, cacheRead: 1000, cacheCreation: 1000 }, price)).toBe(
      '0.0046000000',
    );
    expect(book.priceFor('vllm', 'my-llama')).toBeNull();
    expect(book.priceFor('vllm', 'MY-LLAMA-70B')).toBeNull();
  });

  it('apply the most specific row: org before global, provider before any, exact before glob, longer glob first', () => {
    const rows = [
      override({ modelPattern: 'gpt-*', inputPerMillion: '1' }),
      override({ modelPattern: 'gpt-4o*', inputPerMillion: '2' }),
      override({ modelPattern: 'gpt-4o', inputPerMillion: '3' }),
      override({ modelPattern: 'gpt-*', provider: 'openai', inputPerMillion: '4' }),
      override({ modelPattern: 'gpt-*', orgId: ORG_A, inputPerMillion: '5' }),
      override({ modelPattern: 'gpt-*', orgId: ORG_A, provider: 'openai', inputPerMillion: '6' }),
    ];
    const input = (provider: string, model: string, orgId?: string) =>
      createPriceBook({ overrides: rows }).priceFor(provider, model, orgId)?.input.perMillion;

    expect(input('openai', 'gpt-4o', ORG_A)).toBe('6.0000000000');
    expect(input('azure', 'gpt-4o', ORG_A)).toBe('5.0000000000');
    expect(input('openai', 'gpt-4o', ORG_B)).toBe('4.0000000000');
    expect(input('azure', 'gpt-4o', ORG_B)).toBe('3.0000000000');
    expect(input('azure', 'gpt-4o-mini')).toBe('2.0000000000');
    expect(input('azure', 'gpt-3.5-turbo')).toBe('1.0000000000');
    // Row order does not change the choice.
    expect(createPriceBook({ overrides: [...rows].reverse() }).priceFor('azure', 'gpt-4o-mini')?.input.perMillion).toBe(
      '2.0000000000',
    );
  });

  it("keep one org's prices away from another org", () => {
    const book = createPriceBook({ overrides: [override({ modelPattern: 'private-model', orgId: ORG_A })] });
    expect(book.priceFor('vllm', 'private-model', ORG_A)?.source).toBe('override');
    expect(book.priceFor('vllm', 'private-model', ORG_B)).toBeNull();
    expect(book.priceFor('vllm', 'private-model')).toBeNull();
  });

  it('are provider-specific when they name a provider', () => {
    const book = createPriceBook({
      overrides: [override({ modelPattern: 'gpt-4o', provider: 'azure', inputPerMillion: '7' })],
    });
    expect(book.priceFor('azure', 'gpt-4o')?.input.perMillion).toBe('7.0000000000');
    expect(book.priceFor('openai', 'gpt-4o')?.source).toBe('library');
  });
});
