import { isHumanOpen } from '../open/client-detection';
import type { Open } from '../open/open';
import type { PollResultsReader } from '../kinds/kind';
import type { BlockLocks } from '../recording/block-locks';
import type { FirstOpens } from '../recording/first-opens';
import type { RuleFacts } from '../rules/facts';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
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
 * starts fresh. The first lock wins, across requests of one process and
 * across processes sharing a database: a first open waits for its claim's
 * transaction (storage/ports/block-locks.ts), and the loser serves the
 * winner's view from that very open (recording/block-locks.ts).
 */

/** What resolveBlock needs to serve locks; absent, locked blocks resolve live (e.g. a one-off render in a script). */
export interface ResolveServices {
  locks?: BlockLocks;
  /**
   * False: a lock in force is served, but a first open claims none (a console
   * preview, README "Preview": looking at a block must not freeze what the
   * subscriber will see). Default true.
   */
  claimLocks?: boolean;
  /** Poll results for the poll-results kind (ResolveContext.polls). */
  polls?: PollResultsReader;
  /** First human opens, for evergreen countdowns (ResolveContext.firstHumanOpen); `claimLocks: false` records none either. */
  firstOpens?: FirstOpens;
}

/** Step 3 and 4: the frozen view with live marks, or null when this subscriber has no lock for the block. */
export async function serveFrozenView(block: PreparedBlock, open: Open, store: CatalogueReader, locks: BlockLocks, facts: RuleFacts): Promise<Resolution | null> {
  if (!block.lock || !open.subscriberId || !open.campaignId) return null;
  const frozen = await locks.find(open.campaignId, block.config.id, open.subscriberId);
  // A block id reused for another kind since: its old lock cannot be drawn, serve live.
  if (!frozen || frozen.view.kind !== block.kind.name) return null;
  // The marks speak with the messages of the block that drew the frozen view: the experiment arm it was locked in, if any.
  const drawnBy = block.experiment?.arms.find((arm) => arm.name === frozen.variant)?.block ?? block;
  const view = await markFrozenView(frozen.view, block.lock, {
    store,
    facts,
    message: () => messageLookup(messageTable(drawnBy, open.locale, facts).table, open.locale),
  });
  return { outcome: 'view', view, variant: frozen.messageVariant, experimentVariant: frozen.variant, locked: true };
}

/**
 * Step 2: freezes a live view at the first human open and returns what to
 * serve: this view when its claim won, the earlier lock when another open
 * (in this process or another) won, and the live view unlocked when no lock
 * could be written (the next open claims again).
 */
export async function lockIfFirstHumanOpen(block: PreparedBlock, open: Open, locks: BlockLocks, resolution: Resolution): Promise<Resolution> {
  if (!block.lock || resolution.outcome !== 'view' || !open.subscriberId || !open.campaignId || !isHumanOpen(open.client)) return resolution;
  const lock = await locks.claim({
    campaignId: open.campaignId,
    blockId: block.config.id,
    subscriberId: open.subscriberId,
    view: resolution.view,
    variant: resolution.experimentVariant ?? null,
    messageVariant: resolution.variant,
    lockedAt: open.now.getTime(),
  });
  if (!lock) return resolution;
  if (lock.view === resolution.view) return { ...resolution, locked: true };
  return { outcome: 'view', view: lock.view, variant: lock.messageVariant, experimentVariant: lock.variant, locked: true };
}
