/**
 * The loop of a queue worker that every process runs (the triggered sends,
 * triggers/trigger-worker.ts, and the webhook outbox, forms/webhook-delivery.ts):
 * one run at a time (concurrent runOnce calls share it), the next run
 * `intervalMs` after the last one ended, and close() waiting for the run in
 * progress. Claims are leases in the database, so several processes may loop at once.
 */
export class PollingLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly run: () => Promise<number>,
    private readonly intervalMs: number,
    /** A run that threw: logged by the owner; the loop tries again at the next tick. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** True once close() was called: a run in progress stops after its current step. */
  get closed(): boolean {
    return this.stopped;
  }

  /** Runs now, or joins the run in progress; resolves what the run resolves. */
  runOnce(): Promise<number> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Runs every intervalMs until close(). */
  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      void this.runOnce()
        .catch(this.onError)
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs).unref();
        });
    };
    tick();
  }

  /** Stops the loop and waits for the run in progress. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
