import type { Logger } from '../log';
import type { Impression, Store } from './store';
import { WriteBehindFlusher, type StartTimer } from './write-behind-flusher';

export interface ImpressionLogOptions {
  /** Longest an impression waits in memory before it is written (default 250 ms). */
  flushIntervalMs?: number;
  /** Rows per write transaction; a full batch is written at once (default 500). */
  batchSize?: number;
  /** Most impressions held in memory; beyond it the oldest are dropped (default 20 000). */
  maxQueued?: number;
  logger?: Pick<Logger, 'warn' | 'error'>;
  /** Starts the flush timer (default: `setTimeout`); tests pass a manual one and fire it themselves. */
  startTimer?: StartTimer;
}

export interface ImpressionLogStats {
  queued: number;
  written: number;
  dropped: number;
  failedBatches: number;
}

const keyOf = (subscriberId: string, campaignId: string, blockId: string): string => JSON.stringify([subscriberId, campaignId, blockId]);

/**
 * Write-behind log of what image renders showed (click-through, issue 3).
 * `record` is a Map insert on the hot path of an image; rows reach the store
 * in batches, one transaction each, every `flushIntervalMs` or as soon as a
 * batch is full. Repeated renders of one block for one subscriber collapse to
 * the latest before they are written. Lookups see pending rows first, so a
 * click right after an open finds what was just shown.
 *
 * Bounded: when the store cannot keep up, the oldest pending rows are dropped
 * and counted; a click with no record opens what the block shows that
 * subscriber at the click (http/click-resolution.ts), which may differ from
 * what the picture showed. Call `close()` on shutdown to write what is pending.
 */
export class ImpressionLog {
  private readonly store: Pick<Store, 'recordImpressions' | 'getImpression'>;
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxQueued: number;
  private readonly logger: Pick<Logger, 'warn' | 'error'> | undefined;
  private pending = new Map<string, Impression>();
  /** The batch being written, still visible to lookups until its transaction is done. */
  private writing = new Map<string, Impression>();
  private readonly flusher: WriteBehindFlusher;
  private readonly counters = { written: 0, dropped: 0, failedBatches: 0 };

  constructor(store: Pick<Store, 'recordImpressions' | 'getImpression'>, options: ImpressionLogOptions = {}) {
    this.store = store;
    this.flushIntervalMs = Math.max(1, options.flushIntervalMs ?? 250);
    this.batchSize = Math.max(1, options.batchSize ?? 500);
    this.maxQueued = Math.max(1, options.maxQueued ?? 20_000);
    this.logger = options.logger;
    this.flusher = new WriteBehindFlusher(() => this.drain(), () => this.pending.size > 0, options.startTimer);
  }

  /** Queues an impression; never throws, never waits. */
  record(impression: Impression): void {
    if (this.flusher.closed) return;
    const key = keyOf(impression.subscriberId, impression.campaignId, impression.blockId);
    const queued = this.pending.get(key);
    if (queued && queued.renderedAt > impression.renderedAt) return;
    // Delete first so the entry moves to the end: the map's order is the age order.
    this.pending.delete(key);
    if (this.pending.size >= this.maxQueued) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
      if (this.counters.dropped++ % 1000 === 0) {
        this.logger?.warn({ dropped: this.counters.dropped, maxQueued: this.maxQueued }, 'impression log full; dropping the oldest pending impressions');
      }
    }
    this.pending.set(key, impression);
    this.flusher.schedule(this.pending.size >= this.batchSize ? 0 : this.flushIntervalMs);
  }

  /** The latest impression, pending or stored. */
  async latest(subscriberId: string, campaignId: string, blockId: string): Promise<Impression | undefined> {
    const key = keyOf(subscriberId, campaignId, blockId);
    return this.pending.get(key) ?? this.writing.get(key) ?? this.store.getImpression(subscriberId, campaignId, blockId);
  }

  /** Writes everything pending now; resolves when it is in the store (or its batch failed and was logged). */
  flush(): Promise<void> {
    return this.flusher.flush();
  }

  /** Stops accepting impressions and writes the pending ones. Idempotent. */
  close(): Promise<void> {
    return this.flusher.close();
  }

  stats(): ImpressionLogStats {
    return { queued: this.pending.size + this.writing.size, ...this.counters };
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = new Map<string, Impression>();
      for (const [key, impression] of this.pending) {
        batch.set(key, impression);
        if (batch.size >= this.batchSize) break;
      }
      for (const key of batch.keys()) this.pending.delete(key);
      this.writing = batch;
      try {
        await this.store.recordImpressions([...batch.values()]);
        this.counters.written += batch.size;
      } catch (error) {
        // Best effort by design: a lost impression resolves that click to what the block shows at the click.
        this.counters.failedBatches++;
        this.counters.dropped += batch.size;
        this.logger?.error({ err: error, rows: batch.size }, 'writing impressions failed; those clicks will open what the block shows at the click');
      } finally {
        this.writing = new Map();
      }
    }
  }
}
