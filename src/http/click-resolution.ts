import type { PollResultsReader } from '../kinds/kind';
import { fallbackItemOf } from '../blocks/fallback-item';
import type { PreparedBlock } from '../blocks/prepared-block';
import { resolveBlock } from '../blocks/resolve-block';
import { slotUrls } from '../blocks/slots';
import { loadSubject, openFor } from '../open/open-subject';
import type { BlockLocks } from '../recording/block-locks';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { Impression } from '../storage/ports/impressions';
import type { SubscriberClaims } from '../tokens/subscriber-token';

export interface ClickResolutionDeps {
  store: CatalogueReader;
  /** Frozen views of lock-at-first-open blocks; absent: locked blocks resolve live. */
  locks?: BlockLocks;
  /** Poll results for poll-results blocks. */
  polls?: PollResultsReader;
}

/**
 * What a block would show a subscriber at this moment, as the impression its
 * picture would have recorded: for a click with no image render on record (the
 * plain-text part, images turned off or blocked), so pick 2 still opens the
 * product the reader's picture would have shown in slot 2, not a generic page.
 *
 * The same path as the image and the JSON: the token's subscriber and
 * campaign, `buildOpen`, `resolveBlock` with its rules, experiment arm and
 * lock-at-first-open, and the block's fallback item when it resolves to its
 * fallback (the image draws that item too). The client is `direct`: a click
 * is the reader's own browser, never a proxy or a prefetch, so it is a human
 * act and freezes a locked block's view like a first human open would; the
 * pictures opened later then show what the click opened.
 */
export async function impressionAtClick(block: PreparedBlock, claims: SubscriberClaims, now: Date, deps: ClickResolutionDeps): Promise<Impression> {
  const open = openFor(block, await loadSubject(claims, deps.store), 'direct', now);
  const resolution = await resolveBlock(block, open, deps.store, { locks: deps.locks, polls: deps.polls });
  const view = resolution.outcome === 'view' ? resolution.view : fallbackItemOf(block, open.locale);
  return {
    subscriberId: claims.subscriberId,
    campaignId: claims.campaignId,
    blockId: block.config.id,
    urls: slotUrls(view),
    renderedAt: now.toISOString(),
  };
}
