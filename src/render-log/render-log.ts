import type { Logger } from '../log';
import { BatchWriter, type BatchWriterStats } from './batch-writer';
import type { ClickRecord, RenderLogStore, RenderRecord } from './render-record';

export interface RenderLogOptions {
  /** Longest a row waits in memory (default 1000 ms). */
  flushIntervalMs?: number;
  /** Rows per transaction (default 1000). */
  batchSize?: number;
  /** Most renders held in memory before new ones are dropped (default 100 000, about 30 MB). */
  maxQueued?: number;
  logger?: Pick<Logger, 'warn' | 'error'>;
}

export interface RenderLogStats {
  renders: BatchWriterStats;
  clicks: BatchWriterStats;
}

/**
 * What the emails showed and what was clicked: the data behind campaign
 * reports. Both are written behind the request (render-log/batch-writer.ts):
 * recording is an array push, never a database write on an open's path.
 * The owner calls `close()` on shutdown to write what is pending.
 */
export class RenderLog {
  private readonly renders: BatchWriter<RenderRecord>;
  private readonly clicks: BatchWriter<ClickRecord>;

  constructor(store: Pick<RenderLogStore, 'recordRenders' | 'recordClicks'>, options: RenderLogOptions = {}) {
    const common = { flushIntervalMs: options.flushIntervalMs, batchSize: options.batchSize, logger: options.logger };
    this.renders = new BatchWriter((rows) => store.recordRenders(rows), { ...common, name: 'render log', maxQueued: options.maxQueued });
    // Clicks are rarer than renders by two orders of magnitude; a tenth of the room is plenty.
    this.clicks = new BatchWriter((rows) => store.recordClicks(rows), {
      ...common,
      name: 'click log',
      maxQueued: Math.max(1, Math.ceil((options.maxQueued ?? 100_000) / 10)),
    });
  }

  /** Queues a render; never throws, never waits. */
  render(record: RenderRecord): void {
    this.renders.push(record);
  }

  /** Queues a click; never throws, never waits. */
  click(record: ClickRecord): void {
    this.clicks.push(record);
  }

  async flush(): Promise<void> {
    await Promise.all([this.renders.flush(), this.clicks.flush()]);
  }

  /** Stops accepting rows and writes the pending ones. Idempotent. */
  async close(): Promise<void> {
    await Promise.all([this.renders.close(), this.clicks.close()]);
  }

  stats(): RenderLogStats {
    return { renders: this.renders.stats(), clicks: this.clicks.stats() };
  }
}
