/**
 * Starts a one-shot timer and returns what cancels it. The default is a real
 * `setTimeout`; tests pass a manual one and fire it themselves, so nothing
 * waits on the wall clock.
 */
export type StartTimer = (callback: () => void, delayMs: number) => () => void;

export const realTimer: StartTimer = (callback, delayMs) => {
  const timer = setTimeout(callback, delayMs);
  // Shutdown calls close(); a pending timer alone must not keep the process alive.
  timer.unref();
  return () => clearTimeout(timer);
};

/**
 * The timing half of a write-behind store: a timer that triggers a flush,
 * at most one write running at a time, and a final flush on close. What is
 * pending and how it is written stay with the owner (the impression log keeps
 * the latest render per key and drops failed batches; block locks retry and
 * resolve races between processes).
 */
export class WriteBehindFlusher {
  /** Cancels the scheduled flush; undefined when none is scheduled. */
  private cancelTimer: (() => void) | undefined;
  private flushing: Promise<void> | undefined;
  private closedFlag = false;

  /**
   * @param write writes what is pending; runs alone, never twice at once.
   * @param hasPending whether a flush has anything to do.
   * @param startTimer starts the flush timer (default: `setTimeout`, unref'd).
   */
  constructor(
    private readonly write: () => Promise<void>,
    private readonly hasPending: () => boolean,
    private readonly startTimer: StartTimer = realTimer,
  ) {}

  /** True once close() was called: owners stop accepting new rows. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /**
   * Flushes after `delayMs`. A flush already scheduled is kept, unless this
   * one is immediate (a full batch), which replaces it.
   */
  schedule(delayMs: number): void {
    if (this.cancelTimer && delayMs > 0) return;
    this.cancelTimer?.();
    this.cancelTimer = this.startTimer(() => {
      this.cancelTimer = undefined;
      void this.flush();
    }, delayMs);
  }

  /** Writes what is pending now, after any write already running. */
  async flush(): Promise<void> {
    if (this.cancelTimer) {
      this.cancelTimer();
      this.cancelTimer = undefined;
    }
    while (this.flushing) await this.flushing;
    if (!this.hasPending()) return;
    this.flushing = this.write().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  /** Stops accepting (see `closed`) and writes what is pending. Idempotent. */
  async close(): Promise<void> {
    this.closedFlag = true;
    await this.flush();
  }
}
