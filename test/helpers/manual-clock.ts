import type { PullClock } from '../../src/sources/pull-source';

/**
 * Time that moves only when a test says so, for code on the global clock and timers (opossum's
 * circuit breaker: its reset timeout, its rolling window) and code on an injected clock (the pull
 * source's deadlines, wait budgets and cache ages) alike, so both always agree.
 *
 * `install` switches on jest's modern fake timers, which replace Date, setTimeout, setInterval
 * and the rest for the test's modules (not for Node's own socket layer); this clock reads and
 * schedules on them. `advance(ms)` runs, in time order, every timer that falls due, then leaves
 * the clock `ms` later. Left real: process.nextTick, setImmediate and queueMicrotask, which
 * streams and loopback sockets need; a test waits on what the fake server receives, not on time.
 * Code that waits on this clock waits exactly as long as the test decides, however loaded the
 * machine is.
 */
export class ManualClock implements PullClock {
  private constructor() {}

  /** Fakes the global clock and timers, starting at `startsAt` (epoch ms); undo with `uninstall`. */
  static install(startsAt: number): ManualClock {
    jest.useFakeTimers({ now: startsAt, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    return new ManualClock();
  }

  now(): number {
    return Date.now();
  }

  after(ms: number, callback: () => void): () => void {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  }

  advance(ms: number): void {
    jest.advanceTimersByTime(ms);
  }

  /** Timers not yet due (the code under test's and its libraries'). */
  get pendingTimers(): number {
    return jest.getTimerCount();
  }

  /** Back to the real clock and timers; fake timers still pending are dropped. */
  uninstall(): void {
    jest.useRealTimers();
  }
}
