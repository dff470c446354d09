/**
 * How late the event loop runs, sampled by a timer that asks to run every
 * `intervalMs`: when it fires 300 ms late, every request that arrived meanwhile
 * waited at least that long for its turn. Past `overloadedAtMs` the server
 * sheds work: an image whose rendering is not cached gets the block's cached
 * fallback picture (README "Overload") instead of a cold render, so the
 * backlog drains in microseconds a request instead of milliseconds, and
 * health checks and cached answers keep coming back in time.
 */

export interface LoadGauge {
  /** True while the event loop runs late: cold renders should be skipped. */
  overloaded(): boolean;
}

export interface EventLoopLagOptions {
  /** Lag at which work is shed (ms). */
  overloadedAtMs: number;
  /** Sampling period (default 20 ms). */
  intervalMs?: number;
  /** Milliseconds of a monotonic clock (default performance.now; tests step their own). */
  now?: () => number;
}

export class EventLoopLag implements LoadGauge {
  private lagMs = 0;
  /** When the sampling timer should fire next. */
  private expected: number;
  private readonly timer: NodeJS.Timeout;

  private readonly now: () => number;

  constructor(private readonly options: EventLoopLagOptions) {
    const interval = options.intervalMs ?? 20;
    this.now = options.now ?? (() => performance.now());
    this.expected = this.now() + interval;
    this.timer = setInterval(() => {
      const now = this.now();
      // The latest sample decides, so shedding stops as soon as the loop is on time again.
      this.lagMs = Math.max(0, now - this.expected);
      this.expected = now + interval;
    }, interval);
    this.timer.unref();
  }

  /**
   * The last sample, or how overdue the timer is right now: while a backlog of
   * requests is being worked through, the timer cannot fire, and the requests
   * in that backlog are the ones to shed.
   */
  overloaded(): boolean {
    return Math.max(this.lagMs, this.now() - this.expected) >= this.options.overloadedAtMs;
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/** Never sheds (OPENTIME_SHED_LAG_MS=0, and tests that do not exercise overload). */
export const NEVER_OVERLOADED: LoadGauge = { overloaded: () => false };
