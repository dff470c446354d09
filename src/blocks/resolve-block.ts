import type { Store } from '../data/store';
import type { Open } from '../open/open';
import { buildFacts } from '../rules/facts';
import { HoldBack, type AmpListPayload, type BlockView, type PreparedBlock } from './kind';
import { messageLookup, messageTable } from './messages';

/** A view, or the block's fallback and why. Both renderers draw exactly this. */
export type Resolution =
  | { outcome: 'view'; view: BlockView; variant: string | null }
  | { outcome: 'fallback'; reason: 'held_back' | 'data_missing' | 'error'; detail: string; error?: unknown };

/**
 * Runs a block's rules against the open. Never throws: a missing record, a
 * rule that holds the block back, or an unexpected failure all resolve to the
 * fallback, so an email never shows a stack trace or a blank.
 */
export async function resolveBlock(block: PreparedBlock, open: Open, store: Store): Promise<Resolution> {
  try {
    const facts = buildFacts(open);
    if (block.holdBack?.(facts)) return { outcome: 'fallback', reason: 'held_back', detail: 'holdBackWhen matched' };
    const { table, variant } = messageTable(block, open.locale, facts);
    const view = await block.resolve({ open, store, facts, message: messageLookup(table) });
    return { outcome: 'view', view, variant };
  } catch (error) {
    if (error instanceof HoldBack) return { outcome: 'fallback', reason: 'data_missing', detail: error.reason };
    return { outcome: 'fallback', reason: 'error', detail: (error as Error)?.message ?? String(error), error };
  }
}

/** The items amp-list shows when the block cannot show its live content. */
export function fallbackPayload(block: PreparedBlock): AmpListPayload {
  return {
    items: block.config.fallback?.items ?? [
      { kind: 'fallback', headline: 'See our latest offers', cta: { label: 'Shop now', url: block.config.defaultUrl } },
    ],
  };
}

export function jsonFor(block: PreparedBlock, resolution: Resolution): AmpListPayload {
  return resolution.outcome === 'view' ? block.toJson(resolution.view) : fallbackPayload(block);
}
