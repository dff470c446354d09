import { realTimer, type StartTimer } from '../recording/write-behind-queue';

/**
 * Work that may wait: one job at a time, a rest after each as long as the job
 * took (so it takes at most about half of one core however much is queued),
 * and a bounded queue whose overflow is dropped and counted, never blocking
 * the caller. Used for re-encoding popular renderings (render-cache.ts); the
 * opens that asked for them were answered already.
 *
 * The rest timer is unref'd: queued work never keeps the process alive.
 */
export interface BackgroundQueueOptions {
  /** Jobs waiting at most (default 256); more are dropped. */
  maxQueued?: number;
  /** Rest after a job, as a multiple of how long it took (default 1). */
  restRatio?: number;
  /** What a job's failure is reported to; jobs should handle their own errors. */
  onError?: (error: unknown) => void;
  /** Milliseconds of a monotonic clock, to time jobs (default performance.now; tests step their own). */
  now?: () => number;
  /** Starts the rest timer (default an unref'd setTimeout; tests fire it themselves). */
  startTimer?: StartTimer;
}

export interface BackgroundQueueStats {
  queued: number;
  /** Jobs finished (successfully or not). */
  done: number;
  dropped: number;
}

export class BackgroundQueue {
  private readonly waiting: Array<() => Promise<void>> = [];
  private readonly maxQueued: number;
  private readonly restRatio: number;
  private readonly onError: (error: unknown) => void;
  private running = false;
  private readonly counters = { done: 0, dropped: 0 };
  private idleWaiters: Array<() => void> = [];
  private readonly now: () => number;
  private readonly startTimer: StartTimer;

  constructor(options: BackgroundQueueOptions = {}) {
    this.maxQueued = Math.max(0, options.maxQueued ?? 256);
    this.restRatio = Math.max(0, options.restRatio ?? 1);
    this.onError = options.onError ?? (() => {});
    this.now = options.now ?? (() => performance.now());
    this.startTimer = options.startTimer ?? realTimer;
  }

  /** Queues a job; false when the queue is full and the job was dropped. */
  add(job: () => Promise<void>): boolean {
    if (this.waiting.length >= this.maxQueued) {
      this.counters.dropped++;
      return false;
    }
    this.waiting.push(job);
    if (!this.running) void this.runNext();
    return true;
  }

  stats(): BackgroundQueueStats {
    return { queued: this.waiting.length + (this.running ? 1 : 0), ...this.counters };
  }

  /** Resolves when nothing is queued or running (for shutdown, tests and benchmarks). */
  idle(): Promise<void> {
    if (!this.running && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async runNext(): Promise<void> {
    const job = this.waiting.shift();
    if (!job) {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    this.running = true;
    const started = this.now();
    try {
      await job();
    } catch (error) {
      this.onError(error);
    }
    this.counters.done++;
    const rest = (this.now() - started) * this.restRatio;
    this.startTimer(() => void this.runNext(), rest);
  }
}
