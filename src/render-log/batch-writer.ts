import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../log';

export interface BatchWriterOptions {
  /** Names the queue in log lines, e.g. "render log". */
  name: string;
  /** Longest a row waits in memory before it is written (default 1000 ms). */
  flushIntervalMs?: number;
  /** Rows per write (one transaction each); a full batch is written at once (default 1000). */
  batchSize?: number;
  /** Most rows held in memory; beyond it new rows are dropped and counted (default 100 000). */
  maxQueued?: number;
  logger?: Pick<Logger, 'warn' | 'error'>;
}

export interface BatchWriterStats {
  /** Rows in memory: waiting, or in the batch being written. */
  queued: number;
  written: number;
  dropped: number;
  batches: number;
  failedBatches: number;
}

/**
 * Append-only write-behind: `push` is an array push on the request's path;
 * rows reach the store in batches, one transaction each, every
 * `flushIntervalMs` or as soon as a batch is full, yielding to the event loop
 * between batches so a burst drains without stalling opens. The same pattern
 * as data/impression-log.ts, which instead keeps only the latest row per key.
 *
 * Bounded: when the store cannot keep up, new rows are dropped and counted
 * (dropping the newest is O(1); the log is a measurement, and the drop count
 * is exported as a metric). `close()` writes everything pending.
 */
export class BatchWriter<Row> {
  private queue: Row[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDueNow = false;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly counters = { written: 0, dropped: 0, batches: 0, failedBatches: 0 };
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxQueued: number;

  constructor(
    private readonly write: (rows: readonly Row[]) => Promise<void>,
    private readonly options: BatchWriterOptions,
  ) {
    this.flushIntervalMs = Math.max(1, options.flushIntervalMs ?? 1000);
    this.batchSize = Math.max(1, options.batchSize ?? 1000);
    this.maxQueued = Math.max(1, options.maxQueued ?? 100_000);
  }

  /** Queues a row; never throws, never waits. False when it was dropped (full, or closed). */
  push(row: Row): boolean {
    if (this.closed || this.queue.length + this.inFlight >= this.maxQueued) {
      if (!this.closed && this.counters.dropped++ % 10_000 === 0) {
        this.options.logger?.warn({ log: this.options.name, dropped: this.counters.dropped, maxQueued: this.maxQueued }, 'write-behind queue full; dropping rows');
      }
      return false;
    }
    this.queue.push(row);
    if (this.queue.length >= this.batchSize) this.schedule(0);
    else this.schedule(this.flushIntervalMs);
    return true;
  }

  /** Writes everything queued, including rows that arrive meanwhile; resolves once it is in the store (or logged as failed). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    do await this.writeQueued();
    while (this.queue.length > 0);
  }

  /** Stops accepting rows and writes the queued ones. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  stats(): BatchWriterStats {
    return { queued: this.queue.length + this.inFlight, ...this.counters };
  }

  /** Writes the rows queued when it starts (after any write in progress). */
  private async writeQueued(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  private schedule(delayMs: number): void {
    if (this.timer && (delayMs > 0 || this.timerDueNow)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDueNow = delayMs === 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeQueued().then(() => {
        // Rows that arrived during the write wait for their own full batch or the interval, so a
        // steady stream of opens is written in batches, not one small transaction per turn.
        if (this.queue.length > 0) this.schedule(this.queue.length >= this.batchSize ? 0 : this.flushIntervalMs);
      });
    }, delayMs);
    // Shutdown calls close(); a pending timer alone must not keep the process alive.
    this.timer.unref();
  }

  /** Writes the queue as it is now, `batchSize` rows per transaction, yielding to requests in between. */
  private async drain(): Promise<void> {
    // Take the whole queue at once: pushes during the write start a new array, no copying.
    const rows = this.queue;
    this.queue = [];
    this.inFlight = rows.length;
    for (let start = 0; start < rows.length; start += this.batchSize) {
      const batch = rows.length <= this.batchSize ? rows : rows.slice(start, start + this.batchSize);
      try {
        await this.write(batch);
        this.counters.written += batch.length;
        this.counters.batches++;
      } catch (error) {
        // Best effort by design: a lost batch is a gap in a measurement, never a failed open.
        this.counters.failedBatches++;
        this.counters.dropped += batch.length;
        this.options.logger?.error({ err: error, log: this.options.name, rows: batch.length }, 'writing a batch failed; its rows are lost');
      }
      this.inFlight -= batch.length;
      await nextTurn();
    }
  }
}
