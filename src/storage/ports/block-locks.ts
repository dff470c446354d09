import type { BlockView } from '../../kinds/registry';

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

/**
 * Frozen views of lock-at-first-open blocks, one per campaign, block and
 * subscriber. Opens claim and read them through recording/block-locks.ts.
 *
 * Promises every implementation keeps (test/storage/contract.ts):
 * - first writer wins, across processes: `claim` writes each lock only if
 *   none exists yet for its campaign, block and subscriber (INSERT … ON
 *   CONFLICT DO NOTHING) and reports, per lock, whether THIS call wrote it.
 *   Of any number of concurrent claims of one key, from any number of
 *   Storage instances on the same database, exactly one resolves true;
 *   within one call, the first of two locks with one key wins;
 * - a claim resolves once committed: a `get` anywhere that runs after it
 *   returns the winning lock, and that lock never changes (only retention
 *   removes it).
 */
export interface BlockLockStore {
  get(campaignId: string, blockId: string, subscriberId: string): Promise<FrozenView | undefined>;
  /** Claims in one transaction; resolves one flag per lock, in order: true when this call wrote it. */
  claim(locks: readonly FrozenView[]): Promise<boolean[]>;
}
