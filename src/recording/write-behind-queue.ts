import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../log';

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

export interface WriteBehindOptions<Row> {
  /** Names the queue in log lines, e.g. "render log". */
  name: string;
  /** Longest a row waits in memory before it is written; 0: as soon as the current turn of the event loop ends. */
  flushIntervalMs: number;
  /** Rows per write (one transaction each); a full batch is written at once. */
  batchSize: number;
  /** Most rows held in memory, waiting or being written. */
  maxQueued: number;
  /**
   * What goes when the queue is full: the new row (an append-only log: O(1),
   * and the drop count is a metric) or the oldest waiting one (the newest
   * impression matters most).
   */
  whenFull: 'drop-newest' | 'drop-oldest';
  /**
   * Rows with the same key collapse to the newest before they are written
   * (`isOlder` says which), e.g. the latest impression per subscriber and
   * block. Without: every row is appended.
   */
  collapse?: { keyOf: (row: Row) => string; isOlder: (row: Row, than: Row) => boolean };
  /** What a lost batch means, for the log line (e.g. "those clicks open what the block shows at the click"). */
  lostBatchMeans?: string;
  /** Starts the flush timer (default: `setTimeout`, unref'd); tests pass a manual one. */
  startTimer?: StartTimer;
  logger?: Pick<Logger, 'warn' | 'error'>;
}

export interface WriteBehindStats {
  /** Rows in memory: waiting, or in the batch being written. */
  queued: number;
  written: number;
  dropped: number;
  batches: number;
  failedBatches: number;
}

/**
 * The one write-behind engine of the process (the render log, clicks,
 * impressions and lock claims go through it): `push` is a Map insert on the
 * request's path; rows reach the database in batches, one transaction each,
 * every `flushIntervalMs` or as soon as a batch is full, yielding to the
 * event loop between batches so a burst drains without stalling opens. At
 * most one write runs at a time.
 *
 * Best effort and bounded: when the database cannot keep up, rows are
 * dropped (see `whenFull`) and counted; a failed batch is logged, counted and
 * dropped. `close()` writes everything pending and stops accepting rows.
 * What a row means once written, and who waits for it, stays with the owner.
 */
export class WriteBehindQueue<Row> {
  /** Waiting rows, oldest first; keyed by `collapse.keyOf`, or by a counter when rows are appended. */
  private pending = new Map<string | number, Row>();
  /** The rows taken by the write in progress: still visible to `find` until it is over. */
  private writing = new Map<string | number, Row>();
  private inFlight = 0;
  private appended = 0;
  private cancelTimer: (() => void) | undefined;
  private timerDueNow = false;
  private flushing: Promise<void> | undefined;
  private closedFlag = false;
  private readonly counters = { written: 0, dropped: 0, batches: 0, failedBatches: 0 };
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxQueued: number;
  private readonly startTimer: StartTimer;

  constructor(
    private readonly write: (rows: readonly Row[]) => Promise<void>,
    private readonly options: WriteBehindOptions<Row>,
  ) {
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs);
    this.batchSize = Math.max(1, options.batchSize);
    this.maxQueued = Math.max(1, options.maxQueued);
    this.startTimer = options.startTimer ?? realTimer;
  }

  /** True once close() was called: new rows are refused. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /**
   * Queues a row; never throws, never waits. False when it was refused
   * (closed, or full under drop-newest); true when it is queued, or
   * collapsed into a newer row of its key.
   */
  push(row: Row): boolean {
    if (this.closedFlag) return false;
    const collapse = this.options.collapse;
    const key = collapse ? collapse.keyOf(row) : this.appended++;
    const queued = this.pending.get(key);
    if (queued !== undefined && collapse?.isOlder(row, queued)) return true;
    // Delete first so the entry moves to the end: the map's order is the age order.
    if (queued !== undefined) this.pending.delete(key);
    else if (this.pending.size + this.inFlight >= this.maxQueued) {
      if (this.options.whenFull === 'drop-newest' || this.pending.size === 0) {
        this.countDropped();
        return false;
      }
      this.pending.delete(this.pending.keys().next().value as string | number);
      this.countDropped();
    }
    this.pending.set(key, row);
    this.schedule(this.pending.size >= this.batchSize ? 0 : this.flushIntervalMs);
    return true;
  }

  /** The row waiting or being written under `key` (with `collapse`). */
  find(key: string): Row | undefined {
    return this.pending.get(key) ?? this.writing.get(key);
  }

  /** Writes everything queued, including rows that arrive meanwhile; resolves once it is in the database (or logged as lost). */
  async flush(): Promise<void> {
    this.cancelScheduled();
    do await this.writeQueued();
    while (this.pending.size > 0);
  }

  /** Stops accepting rows and writes the queued ones. Idempotent. */
  async close(): Promise<void> {
    this.closedFlag = true;
    await this.flush();
  }

  stats(): WriteBehindStats {
    return { queued: this.pending.size + this.inFlight, ...this.counters };
  }

  /**
   * Writes after `delayMs`. A write already scheduled is kept, unless this one
   * is due now (a full batch) and that one is not: then it is brought forward.
   */
  private schedule(delayMs: number): void {
    if (this.cancelTimer && (delayMs > 0 || this.timerDueNow)) return;
    this.cancelTimer?.();
    this.timerDueNow = delayMs === 0;
    this.cancelTimer = this.startTimer(() => {
      this.cancelTimer = undefined;
      void this.writeQueued();
    }, delayMs);
  }

  private cancelScheduled(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** Writes the rows queued when it starts, after any write in progress. */
  private async writeQueued(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  /** Writes the queue as it is now, `batchSize` rows per transaction, yielding to requests in between. */
  private async drain(): Promise<void> {
    // Take the whole queue at once: rows pushed during the write start a new map and schedule their own write.
    this.writing = this.pending;
    this.pending = new Map();
    const rows = [...this.writing.values()];
    this.inFlight = rows.length;
    try {
      for (let start = 0; start < rows.length; start += this.batchSize) {
        const batch = rows.length <= this.batchSize ? rows : rows.slice(start, start + this.batchSize);
        try {
          await this.write(batch);
          this.counters.written += batch.length;
          this.counters.batches++;
        } catch (error) {
          this.counters.failedBatches++;
          this.counters.dropped += batch.length;
          const consequence = this.options.lostBatchMeans ? `; ${this.options.lostBatchMeans}` : '';
          this.options.logger?.error({ err: error, log: this.options.name, rows: batch.length }, `writing a batch failed; its rows are lost${consequence}`);
        }
        this.inFlight -= batch.length;
        await nextTurn();
      }
    } finally {
      this.writing = new Map();
      this.inFlight = 0;
    }
  }

  private countDropped(): void {
    if (this.counters.dropped++ % 1000 === 0) {
      this.options.logger?.warn({ log: this.options.name, dropped: this.counters.dropped, maxQueued: this.maxQueued }, 'write-behind queue full; dropping rows');
    }
  }
}
