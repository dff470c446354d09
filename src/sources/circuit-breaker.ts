/**
 * A circuit breaker for the pull source, read off an injected clock instead of timers: the
 * state moves from open to half-open when a call arrives after `resetMs`, not when a timer
 * fires. So the breaker keeps no timers alive, and a test moves it by moving its clock, never
 * by sleeping. (opossum, used before, reads Date.now and schedules its own setTimeout.)
 *
 * Closed: calls go through; when, over the last `windowMs`, at least `volumeThreshold` calls
 * were made and `errorPercentage` % of them failed, it opens. Open: calls are refused at once
 * with a BreakerOpenError. After `resetMs`, half-open: ONE trial call goes through (others are
 * refused); its success closes the breaker, its failure opens it for another `resetMs`.
 */

export type BreakerState = 'closed' | 'open' | 'halfOpen';

export interface CircuitBreakerOptions {
  now: () => number;
  resetMs: number;
  volumeThreshold: number;
  errorPercentage: number;
  /** The rolling window the failure rate is taken over (ms), kept in ten buckets. */
  windowMs: number;
  /** Told of every state change, e.g. to log it. */
  onStateChange?: (state: BreakerState) => void;
}

export class BreakerOpenError extends Error {
  override name = 'BreakerOpenError';
  readonly code = 'EOPENBREAKER';

  constructor() {
    super('The circuit breaker is open: the call was not made.');
  }
}

const BUCKETS = 10;

interface Bucket {
  startsAt: number;
  calls: number;
  failures: number;
}

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private openedAt = 0;
  private trialRunning = false;
  private readonly bucketMs: number;
  /** Oldest first; buckets older than the window are dropped as new ones start. */
  private buckets: Bucket[] = [];

  constructor(private readonly options: CircuitBreakerOptions) {
    this.bucketMs = Math.max(1, Math.ceil(options.windowMs / BUCKETS));
  }

  /** The state as of now: an open breaker whose reset time has passed reads as half-open. */
  get state(): BreakerState {
    if (this.current === 'open' && this.options.now() - this.openedAt >= this.options.resetMs) this.moveTo('halfOpen');
    return this.current;
  }

  /** Runs `call` unless the breaker refuses it (rejecting with BreakerOpenError); records how it went. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'halfOpen' && this.trialRunning)) throw new BreakerOpenError();
    const isTrial = state === 'halfOpen';
    if (isTrial) this.trialRunning = true;
    try {
      const value = await call();
      this.record(false);
      if (isTrial) this.close();
      return value;
    } catch (error) {
      this.record(true);
      if (isTrial || this.failingTooOften()) this.open();
      throw error;
    } finally {
      if (isTrial) this.trialRunning = false;
    }
  }

  private open(): void {
    this.openedAt = this.options.now();
    this.moveTo('open');
  }

  private close(): void {
    // A fresh start: the failures that opened the breaker must not open it again at the next one.
    this.buckets = [];
    this.moveTo('closed');
  }

  private moveTo(state: BreakerState): void {
    if (this.current === state) return;
    this.current = state;
    this.options.onStateChange?.(state);
  }

  private record(failed: boolean): void {
    const now = this.options.now();
    let bucket = this.buckets.at(-1);
    if (!bucket || now - bucket.startsAt >= this.bucketMs) {
      bucket = { startsAt: now - (now % this.bucketMs), calls: 0, failures: 0 };
      this.buckets.push(bucket);
    }
    bucket.calls++;
    if (failed) bucket.failures++;
    const windowStart = now - this.options.windowMs;
    while (this.buckets.length > 0 && (this.buckets[0] as Bucket).startsAt + this.bucketMs <= windowStart) this.buckets.shift();
  }

  private failingTooOften(): boolean {
    let calls = 0;
    let failures = 0;
    for (const bucket of this.buckets) {
      calls += bucket.calls;
      failures += bucket.failures;
    }
    return calls >= this.options.volumeThreshold && (failures / calls) * 100 >= this.options.errorPercentage;
  }
}
