import type { Logger } from '../log';
import type { Impression, ImpressionStore } from '../storage/ports/impressions';
import { WriteBehindQueue, type StartTimer, type WriteBehindStats } from './write-behind-queue';

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
  /** Where other processes find an impression before it is written (Redis, when OPENTIME_REDIS_URL is set). */
  handOff?: ImpressionHandOff;
}

/**
 * Impressions shared between processes as soon as they are recorded, for the
 * moments before the write-behind batch reaches the database
 * (scale-out/redis-impression-hand-off.ts). Both calls are best effort.
 */
export interface ImpressionHandOff {
  /** Shares one impression; never throws, never waits. */
  share(impression: Impression): void;
  /** The latest shared impression, or undefined when there is none or the share cannot be asked in time. */
  latest(subscriberId: string, campaignId: string, blockId: string): Promise<Impression | undefined>;
  close(): Promise<void>;
}

const keyOf = (subscriberId: string, campaignId: string, blockId: string): string => JSON.stringify([subscriberId, campaignId, blockId]);

/**
 * What image renders showed, for click-through, written behind: `record` is
 * a Map insert on the hot path of an image; rows reach the impression store
 * in batches (write-behind-queue.ts), and repeated renders of one block for
 * one subscriber collapse to the latest before they are written.
 *
 * Across processes: an impression is in the database at most
 * `flushIntervalMs` (250 ms) after its picture was served, well before a
 * reader can see the picture and click it, and from then on a click served
 * by ANY process finds it (storage/ports/impressions.ts). `latest` looks at
 * this process's pending rows first only to spare that wait when the click
 * comes back to the same process; with a hand-off (Redis) it looks there
 * next, for a click that reaches another node inside those 250 ms. A click that finds no impression (pictures off, the row
 * dropped under overload, or a click faster than the flush on another
 * process) opens what the block shows that subscriber at the click
 * (http/click-resolution.ts), as its picture would have.
 *
 * Call `close()` on shutdown to write what is pending.
 */
export class ImpressionLog {
  private readonly queue: WriteBehindQueue<Impression>;

  private readonly handOff: ImpressionHandOff | undefined;

  constructor(
    private readonly store: ImpressionStore,
    options: ImpressionLogOptions = {},
  ) {
    this.handOff = options.handOff;
    this.queue = new WriteBehindQueue((rows) => store.record(rows), {
      name: 'impressions',
      flushIntervalMs: Math.max(1, options.flushIntervalMs ?? 250),
      batchSize: options.batchSize ?? 500,
      maxQueued: options.maxQueued ?? 20_000,
      whenFull: 'drop-oldest',
      collapse: {
        keyOf: (impression) => keyOf(impression.subscriberId, impression.campaignId, impression.blockId),
        isOlder: (impression, than) => impression.renderedAt < than.renderedAt,
      },
      // Best effort by design: a lost impression resolves that click to what the block shows at the click.
      lostBatchMeans: 'those clicks will open what the block shows at the click',
      startTimer: options.startTimer,
      logger: options.logger,
    });
  }

  /** Queues an impression; never throws, never waits. */
  record(impression: Impression): void {
    this.queue.push(impression);
    this.handOff?.share(impression);
  }

  /** The latest impression: this process's pending one, else the stored one. */
  async latest(subscriberId: string, campaignId: string, blockId: string): Promise<Impression | undefined> {
    const pending = this.queue.find(keyOf(subscriberId, campaignId, blockId));
    if (pending) return pending;
    const [shared, stored] = await Promise.all([
      this.handOff?.latest(subscriberId, campaignId, blockId),
      this.store.latest(subscriberId, campaignId, blockId),
    ]);
    if (!shared) return stored;
    return stored && stored.renderedAt > shared.renderedAt ? stored : shared;
  }

  /** Writes everything pending now; resolves when it is in the store (or its batch failed and was logged). */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /** Stops accepting impressions and writes the pending ones. Idempotent. */
  async close(): Promise<void> {
    await this.queue.close();
    await this.handOff?.close();
  }

  stats(): WriteBehindStats {
    return this.queue.stats();
  }
}
