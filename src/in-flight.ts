/**
 * Shares one running call per key: while a load for a key is in flight, every
 * other caller asking for that key gets the same promise instead of starting
 * a second load (the catalogue cache on a miss, the pull source per product,
 * lock claims per subscriber and block). Nothing is kept once a call settles:
 * caching what it returned is the caller's business.
 */
export class InFlight<K, V> {
  private readonly running = new Map<K, Promise<V>>();

  /** The call already running for `key`, or the one `start` begins, shared until it settles. */
  run(key: K, start: () => Promise<V>): Promise<V> {
    const running = this.running.get(key);
    if (running) return running;
    const call = start().finally(() => {
      if (this.running.get(key) === call) this.running.delete(key);
    });
    this.running.set(key, call);
    return call;
  }

  /** The call running for `key`, if any. */
  get(key: K): Promise<V> | undefined {
    return this.running.get(key);
  }

  /**
   * Later callers start afresh instead of joining the running call for `key`
   * (its answer went stale, e.g. the record was written meanwhile); those
   * already waiting still get its answer.
   */
  forget(key: K): void {
    this.running.delete(key);
  }

  /** `forget` for every key. */
  forgetAll(): void {
    this.running.clear();
  }

  /** How many calls are running. */
  get size(): number {
    return this.running.size;
  }

  /** Resolves once no call is running (each has settled, however). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }
}
