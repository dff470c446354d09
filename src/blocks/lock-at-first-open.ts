import { LRUCache } from 'lru-cache';
import type { BlockLockStore, FrozenView } from '../data/locks';
import { WriteBehindFlusher } from '../data/write-behind-flusher';
import type { Store } from '../data/store';
import type { Logger } from '../log';
import { isHumanOpen } from '../open/client-detection';
import type { Open } from '../open/open';
import type { RuleFacts } from '../rules/facts';
import type { PreparedBlock } from './prepared-block';
import { markFrozenView } from './lock-marks';
import { messageLookup, messageTable } from './messages';
import type { Resolution } from './resolve-block';

/**
 * LOCK AT FIRST OPEN — a block option (`lockAtFirstOpen`) for content a
 * subscriber must keep seeing once they have seen it: a coupon code, a
 * recommendation set, "your price".
 *
 * Semantics, in order of evaluation at each open of a locked block:
 *
 * 1. `holdBackWhen` still applies first: a rule that hides the block (a
 *    compliance or segment rule) wins over a lock.
 * 2. No lock yet: the block resolves live, as without the option. If this
 *    open is the subscriber's FIRST HUMAN open (the token names a subscriber
 *    and campaign, the open is not an Apple Mail Privacy Protection prefetch,
 *    and the block showed its live view, not a fallback or the holdout), the
 *    view is frozen: stored exactly as shown, with its experiment variant.
 *    A prefetch never locks: it happens at delivery, before anyone reads, so
 *    freezing it would freeze what nobody saw.
 * 3. Locked: every later open, of the JSON or the image, serves the frozen
 *    view, never a re-resolution. The experiment variant is the one frozen.
 * 4. Marks: what must stay true is re-checked live. For each product card of
 *    the frozen view, the block's mark rules run against the product's
 *    CURRENT record (and the open's usual facts); the first that holds
 *    overlays the card's badge and/or stock state, e.g. "Sold out". The card
 *    keeps its place, name, price, picture and link: the subscriber still
 *    sees what they saw, with the fact that changed marked on it, and a click
 *    still goes to that product. A product gone from the catalogue counts as
 *    stock 0. Default mark: sold out (stock ≤ 0) → badge "Sold out" (the
 *    block's `badgeSoldOut` message, translated) and stock state sold_out.
 *
 * A lock belongs to one campaign, block and subscriber, so the next campaign
 * starts fresh. The first lock wins, across requests of one process (the
 * pending map below) and across processes sharing a database (INSERT OR
 * IGNORE; the loser serves the stored lock from its next open on).
 */
export interface BlockLocksOptions {
  /** Longest a new lock waits in memory before it is written (default 200 ms). */
  flushIntervalMs?: number;
  /** Most locks waiting to be written; beyond it the oldest is dropped (default 10 000). */
  maxPending?: number;
  /** Locks kept in memory for lookups (default 50 000); they never change once written. */
  maxCached?: number;
  logger?: Pick<Logger, 'warn' | 'error'>;
}

export interface BlockLocksStats {
  pending: number;
  written: number;
  /** Lost to another process that locked first (its view is served from then on). */
  lostRaces: number;
  dropped: number;
  /** Lookups answered from memory (pending or cached) / from the store. */
  hits: number;
  misses: number;
}

const keyOf = (campaignId: string, blockId: string, subscriberId: string): string => `${campaignId}\u0000${blockId}\u0000${subscriberId}`;

/**
 * Frozen views: lookups, first-wins claims, and write-behind. A claim is a
 * Map insert (no database write on the open's path); the row is written in
 * the next batch, and lookups see it before then. `close()` writes what is
 * pending.
 */
export class BlockLocks {
  private pending = new Map<string, FrozenView>();
  private readonly cache: LRUCache<string, FrozenView>;
  private readonly flusher = new WriteBehindFlusher(() => this.write(), () => this.pending.size > 0);
  private readonly counters = { written: 0, lostRaces: 0, dropped: 0, hits: 0, misses: 0 };
  private readonly flushIntervalMs: number;
  private readonly maxPending: number;

  constructor(
    private readonly store: BlockLockStore,
    private readonly options: BlockLocksOptions = {},
  ) {
    this.flushIntervalMs = Math.max(1, options.flushIntervalMs ?? 200);
    this.maxPending = Math.max(1, options.maxPending ?? 10_000);
    this.cache = new LRUCache({ max: Math.max(1, options.maxCached ?? 50_000) });
  }

  /** The frozen view of a block for a subscriber in a campaign, if there is one. */
  async find(campaignId: string, blockId: string, subscriberId: string): Promise<FrozenView | undefined> {
    const key = keyOf(campaignId, blockId, subscriberId);
    const known = this.pending.get(key) ?? this.cache.get(key);
    if (known) {
      this.counters.hits++;
      return known;
    }
    this.counters.misses++;
    const stored = await this.store.getBlockLock(campaignId, blockId, subscriberId);
    if (stored) this.cache.set(key, stored);
    // A claim may have landed while the store answered: it wins over "none".
    return this.pending.get(key) ?? stored;
  }

  /** Freezes `candidate` unless a lock exists already; returns the lock in force (the earlier one, if any). */
  claim(candidate: FrozenView): FrozenView {
    const key = keyOf(candidate.campaignId, candidate.blockId, candidate.subscriberId);
    const existing = this.pending.get(key) ?? this.cache.get(key);
    if (existing) return existing;
    if (this.flusher.closed) return candidate;
    if (this.pending.size >= this.maxPending) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
      if (this.counters.dropped++ % 1000 === 0) {
        this.options.logger?.warn({ dropped: this.counters.dropped }, 'lock queue full; dropping the oldest unwritten locks (those subscribers lock again at their next open)');
      }
    }
    this.pending.set(key, candidate);
    this.flusher.schedule(this.flushIntervalMs);
    return candidate;
  }

  /** Writes pending locks now. */
  flush(): Promise<void> {
    return this.flusher.flush();
  }

  /** Writes what is pending and stops taking new locks. Idempotent. */
  close(): Promise<void> {
    return this.flusher.close();
  }

  stats(): BlockLocksStats {
    return { pending: this.pending.size, ...this.counters };
  }

  private async write(): Promise<void> {
    const batch = [...this.pending.values()];
    let inserted: boolean[];
    try {
      inserted = await this.store.insertBlockLocks(batch);
    } catch (error) {
      // Kept pending: the next flush retries, and lookups keep serving them meanwhile.
      this.options.logger?.error({ err: error, locks: batch.length }, 'writing locks failed; retrying at the next flush');
      this.flusher.schedule(this.flushIntervalMs);
      return;
    }
    batch.forEach((lock, index) => {
      const key = keyOf(lock.campaignId, lock.blockId, lock.subscriberId);
      if (this.pending.get(key) === lock) this.pending.delete(key);
      if (inserted[index]) {
        this.counters.written++;
        this.cache.set(key, lock);
      } else {
        // Another process locked first: forget ours, the next lookup reads theirs.
        this.counters.lostRaces++;
        this.cache.delete(key);
      }
    });
  }
}

/** What resolveBlock needs to serve locks; absent, locked blocks resolve live (e.g. a one-off render in a script). */
export interface ResolveServices {
  locks?: BlockLocks;
}

/** Step 3 and 4: the frozen view with live marks, or null when this subscriber has no lock for the block. */
export async function serveFrozenView(block: PreparedBlock, open: Open, store: Store, locks: BlockLocks, facts: RuleFacts): Promise<Resolution | null> {
  if (!block.lock || !open.subscriberId || !open.campaignId) return null;
  const frozen = await locks.find(open.campaignId, block.config.id, open.subscriberId);
  // A block id reused for another kind since: its old lock cannot be drawn, serve live.
  if (!frozen || frozen.view.kind !== block.kind.name) return null;
  // The marks speak with the messages of the block that drew the frozen view: the experiment arm it was locked in, if any.
  const drawnBy = block.experiment?.arms.find((arm) => arm.name === frozen.variant)?.block ?? block;
  const view = await markFrozenView(frozen.view, block.lock, {
    store,
    facts,
    message: () => messageLookup(messageTable(drawnBy, open.locale, facts).table),
  });
  return { outcome: 'view', view, variant: frozen.messageVariant, experimentVariant: frozen.variant, locked: true };
}

/** Step 2: freezes a live view at the first human open and returns what to serve (the earlier lock if one raced in). */
export function lockIfFirstHumanOpen(block: PreparedBlock, open: Open, locks: BlockLocks, resolution: Resolution): Resolution {
  if (!block.lock || resolution.outcome !== 'view' || !open.subscriberId || !open.campaignId || !isHumanOpen(open.client)) return resolution;
  const lock = locks.claim({
    campaignId: open.campaignId,
    blockId: block.config.id,
    subscriberId: open.subscriberId,
    view: resolution.view,
    variant: resolution.experimentVariant ?? null,
    messageVariant: resolution.variant,
    lockedAt: open.now.getTime(),
  });
  if (lock.view === resolution.view) return { ...resolution, locked: true };
  return { outcome: 'view', view: lock.view, variant: lock.messageVariant, experimentVariant: lock.variant, locked: true };
}
