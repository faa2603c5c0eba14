/**
 * A Map that starts over when full. Price lookups are keyed by model names that callers send,
 * so the bound keeps a stream of made-up names from growing memory; real traffic uses a few
 * dozen models and stays cached.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  getOrCompute(key: K, compute: () => V): V {
    if (this.#entries.has(key)) return this.#entries.get(key) as V;
    const value = compute();
    if (this.#entries.size >= this.#max) this.#entries.clear();
    this.#entries.set(key, value);
    return value;
  }
}
