import type { BlockView } from '../kinds/registry';

/** The view a subscriber saw at their first human open of a locked block (lock-at-first-open). */
export interface FrozenView {
  campaignId: string;
  blockId: string;
  subscriberId: string;
  /** Exactly what was shown, every string already formatted. */
  view: BlockView;
  /** The experiment variant that view came from, or null. */
  variant: string | null;
  /** The message variant (block `variants:` rule) that applied, or null. */
  messageVariant: string | null;
  /** Epoch milliseconds of the first human open. */
  lockedAt: number;
}

/** Where frozen views are kept. Once written, a lock never changes; only retention removes it. */
export interface BlockLockStore {
  getBlockLock(campaignId: string, blockId: string, subscriberId: string): Promise<FrozenView | undefined>;
  /**
   * Writes locks in one transaction, each only if none exists yet for its
   * campaign, block and subscriber (the first lock wins, also across
   * processes). Resolves to one flag per lock: true when it was written.
   */
  insertBlockLocks(locks: readonly FrozenView[]): Promise<boolean[]>;
  /** Deletes at most `limit` locks taken before `before`; resolves to how many. */
  pruneBlockLocks(before: Date, limit: number): Promise<number>;
}
