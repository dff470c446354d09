import type { Logger } from '../log';
import type { ClickRecord, RenderLogStore, RenderRecord } from '../storage/ports/render-log';
import { WriteBehindQueue, type WriteBehindStats } from './write-behind-queue';

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
  renders: WriteBehindStats;
  clicks: WriteBehindStats;
}

/**
 * What the emails showed and what was clicked: the data behind campaign
 * reports. Both are written behind the request (write-behind-queue.ts):
 * recording is a Map insert, never a database write on an open's path; a
 * lost batch is a gap in a measurement, never a failed open. The owner calls
 * `close()` on shutdown to write what is pending.
 */
export class RenderLog {
  private readonly renders: WriteBehindQueue<RenderRecord>;
  private readonly clicks: WriteBehindQueue<ClickRecord>;

  constructor(store: Pick<RenderLogStore, 'appendRenders' | 'appendClicks'>, options: RenderLogOptions = {}) {
    const common = {
      flushIntervalMs: Math.max(1, options.flushIntervalMs ?? 1000),
      batchSize: options.batchSize ?? 1000,
      whenFull: 'drop-newest' as const,
      logger: options.logger,
    };
    const maxQueued = options.maxQueued ?? 100_000;
    this.renders = new WriteBehindQueue((rows) => store.appendRenders(rows), { ...common, name: 'render log', maxQueued });
    // Clicks are rarer than renders by two orders of magnitude; a tenth of the room is plenty.
    this.clicks = new WriteBehindQueue((rows) => store.appendClicks(rows), { ...common, name: 'click log', maxQueued: Math.max(1, Math.ceil(maxQueued / 10)) });
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
