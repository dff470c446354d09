import type { PullClock } from '../../src/sources/pull-source';

/**
 * A clock that moves only when a test says so: `advance(ms)` runs, in time order, every callback
 * that falls due. Code that waits on it waits exactly as long as the test decides, however
 * loaded the machine is.
 */
export class ManualClock implements PullClock {
  private current: number;
  private readonly waiting = new Set<{ at: number; callback: () => void }>();

  constructor(startsAt: number) {
    this.current = startsAt;
  }

  now(): number {
    return this.current;
  }

  after(ms: number, callback: () => void): () => void {
    const entry = { at: this.current + ms, callback };
    this.waiting.add(entry);
    return () => this.waiting.delete(entry);
  }

  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const due = [...this.waiting].filter((entry) => entry.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.waiting.delete(due);
      this.current = due.at;
      due.callback();
    }
    this.current = until;
  }

  /** Callbacks not yet due. */
  get pendingCallbacks(): number {
    return this.waiting.size;
  }
}
