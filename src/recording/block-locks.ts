import { LRUCache } from 'lru-cache';
import { InFlight } from '../in-flight';
import type { Logger } from '../log';
import type { BlockLockStore, FrozenView } from '../storage/ports/block-locks';
import { WriteBehindQueue, type StartTimer } from './write-behind-queue';

export interface BlockLocksOptions {
  /** Claims written in one transaction at most (default 500). */
  batchSize?: number;
  /** Most claims waiting to be written; beyond it a claim is refused and the open served live (default 10 000). */
  maxPending?: number;
  /** Locks kept in memory for lookups (default 50 000); they never change once written. */
  maxCached?: number;
  logger?: Pick<Logger, 'warn' | 'error'>;
  /** Starts the timer that writes the claims of one turn together (default: `setTimeout`). */
  startTimer?: StartTimer;
}

export interface BlockLocksStats {
  /** Claims waiting for their transaction. */
  pending: number;
  written: number;
  /** Claims another process (or an earlier claim) won: its view is served instead. */
  lostRaces: number;
  /** Claims that could not be written (queue full, write failed, shutting down): served live, claimed again at the next open. */
  dropped: number;
  /** Lookups answered from memory / from the store. */
  hits: number;
  misses: number;
}

interface PendingClaim {
  lock: FrozenView;
  settle(won: boolean | undefined): void;
}

const keyOf = (campaignId: string, blockId: string, subscriberId: string): string => `${campaignId}\u0000${blockId}\u0000${subscriberId}`;

/**
 * Frozen views of lock-at-first-open blocks: lookups and first-wins claims.
 *
 * A claim returns the lock in force only once the database has said who won
 * (BlockLockStore.claim, INSERT … ON CONFLICT DO NOTHING), so two processes
 * racing on one subscriber's first opens serve the same view from the very
 * first answer. Claims of one turn of the event loop are written in one
 * transaction (write-behind-queue.ts with no delay): a burst of first opens
 * costs one commit, not one each. Within the process, concurrent claims of
 * one key share one write (InFlight), and locks once known are served from
 * memory: they never change.
 */
export class BlockLocks {
  private readonly cache: LRUCache<string, FrozenView>;
  private readonly claims = new InFlight<string, FrozenView | undefined>();
  private readonly queue: WriteBehindQueue<PendingClaim>;
  private readonly counters = { written: 0, lostRaces: 0, dropped: 0, hits: 0, misses: 0 };

  constructor(
    private readonly store: BlockLockStore,
    options: BlockLocksOptions = {},
  ) {
    this.cache = new LRUCache({ max: Math.max(1, options.maxCached ?? 50_000) });
    this.queue = new WriteBehindQueue((batch) => this.write(batch), {
      name: 'lock claims',
      flushIntervalMs: 0,
      batchSize: options.batchSize ?? 500,
      maxQueued: options.maxPending ?? 10_000,
      whenFull: 'drop-newest',
      lostBatchMeans: 'those opens were served live and lock at their next open',
      startTimer: options.startTimer,
      logger: options.logger,
    });
  }

  /** The frozen view of a block for a subscriber in a campaign, if there is one (a claim running in this process included). */
  async find(campaignId: string, blockId: string, subscriberId: string): Promise<FrozenView | undefined> {
    const key = keyOf(campaignId, blockId, subscriberId);
    const known = this.cache.get(key);
    if (known) {
      this.counters.hits++;
      return known;
    }
    const claiming = this.claims.get(key);
    if (claiming) {
      this.counters.hits++;
      return claiming;
    }
    this.counters.misses++;
    const stored = await this.store.get(campaignId, blockId, subscriberId);
    if (stored) this.cache.set(key, stored);
    return stored;
  }

  /**
   * Freezes `candidate` unless a lock exists already. Resolves to the lock in
   * force: `candidate` when this claim won, the earlier lock when another
   * (in this process or another) won; undefined when no lock could be
   * written (the queue was full, the write failed, or the server is shutting
   * down): the open is then served live, and the next one claims again.
   */
  claim(candidate: FrozenView): Promise<FrozenView | undefined> {
    const key = keyOf(candidate.campaignId, candidate.blockId, candidate.subscriberId);
    const known = this.cache.get(key);
    if (known) return Promise.resolve(known);
    return this.claims.run(key, async () => {
      const won = await this.enqueue(candidate);
      if (won === undefined) {
        this.counters.dropped++;
        return undefined;
      }
      if (won) {
        this.counters.written++;
        this.cache.set(key, candidate);
        return candidate;
      }
      this.counters.lostRaces++;
      const winner = await this.store.get(candidate.campaignId, candidate.blockId, candidate.subscriberId);
      if (winner) this.cache.set(key, winner);
      return winner;
    });
  }

  /** Writes the claims waiting now. */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /** Writes the waiting claims and refuses new ones. Idempotent. */
  close(): Promise<void> {
    return this.queue.close();
  }

  stats(): BlockLocksStats {
    return { pending: this.queue.stats().queued, ...this.counters };
  }

  /** Resolves whether this claim won, or undefined when it was not written. */
  private enqueue(lock: FrozenView): Promise<boolean | undefined> {
    return new Promise((resolve) => {
      if (!this.queue.push({ lock, settle: resolve })) resolve(undefined);
    });
  }

  private async write(batch: readonly PendingClaim[]): Promise<void> {
    let won: boolean[];
    try {
      won = await this.store.claim(batch.map((claim) => claim.lock));
    } catch (error) {
      for (const claim of batch) claim.settle(undefined);
      // The queue logs and counts the failed batch.
      throw error;
    }
    batch.forEach((claim, index) => claim.settle(won[index]));
  }
}
