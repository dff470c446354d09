import type { Logger } from '../log';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import { armFor, isHoldout } from '../experiments/assignment';
import type { Open } from '../open/open';
import { HoldBack } from '../kinds/hold-back';
import type { AmpListPayload } from '../kinds/kind';
import { withKind } from '../kinds/kind-of-view';
import type { BlockView } from '../kinds/registry';
import { buildFacts } from '../rules/facts';
import { fallbackItemsOf } from './fallback-item';
import { lockIfFirstHumanOpen, serveFrozenView, type ResolveServices } from './lock-at-first-open';
import { messageLookup, messageTable } from './messages';
import type { PreparedBlock } from './prepared-block';

/**
 * A view, or the block's fallback and why. Both renderers draw exactly this.
 * `variant` is the message variant (block `variants:` rules);
 * `experimentVariant` the experiment arm ("holdout" for the holdout, which
 * gets the fallback items); `locked` marks a lock-at-first-open frozen view.
 */
export type Resolution =
  | { outcome: 'view'; view: BlockView; variant: string | null; experimentVariant?: string | null; locked?: boolean }
  | {
      outcome: 'fallback';
      reason: 'held_back' | 'data_missing' | 'error' | 'holdout';
      detail: string;
      error?: unknown;
      experimentVariant?: string | null;
      /** The records say the block does not apply (HoldBack `expected`): served without a log line. */
      quiet?: boolean;
    };

/**
 * Runs a block's rules against the open. Never throws: a missing record, a
 * rule that holds the block back, or an unexpected failure all resolve to the
 * fallback, so an email never shows a stack trace or a blank.
 */
export async function resolveBlock(block: PreparedBlock, open: Open, store: CatalogueReader, services: ResolveServices = {}): Promise<Resolution> {
  let experimentVariant: string | null = null;
  try {
    const facts = buildFacts(open);
    // Experiment: the subscriber's arm (a hash, so the same on every surface) decides which
    // prepared block resolves; every outcome is attributed to it, held back and failed ones too.
    const arm = armFor(block, open.subscriberId);
    experimentVariant = arm?.name ?? null;
    if (block.holdBack?.(facts)) return { outcome: 'fallback', reason: 'held_back', detail: 'holdBackWhen matched', experimentVariant };
    // Lock-at-first-open: a frozen view wins over the experiment and the rules (lock-at-first-open.ts).
    const locks = block.lock ? services.locks : undefined;
    const frozen = locks ? await serveFrozenView(block, open, store, locks, facts) : null;
    if (frozen) return frozen;
    if (arm && isHoldout(arm)) return { outcome: 'fallback', reason: 'holdout', detail: 'experiment holdout', experimentVariant: arm.name };
    const served = arm?.block ?? block;
    // A variant may bring its own holdBackWhen.
    if (served !== block && served.holdBack?.(facts)) return { outcome: 'fallback', reason: 'held_back', detail: 'holdBackWhen matched', experimentVariant };
    const { table, variant } = messageTable(served, open.locale, facts);
    // A preview (claimLocks: false) neither claims a lock nor records a first open.
    const { firstOpens, claimLocks = true } = services;
    const firstHumanOpen = firstOpens ? () => firstOpens.of(open, claimLocks) : undefined;
    const view = await served.resolve({ open, store, facts, message: messageLookup(table, open.locale), polls: services.polls, firstHumanOpen });
    const resolution: Resolution = { outcome: 'view', view, variant, experimentVariant };
    return locks && claimLocks ? await lockIfFirstHumanOpen(block, open, locks, resolution) : resolution;
  } catch (error) {
    if (error instanceof HoldBack) {
      return error.expected
        ? { outcome: 'fallback', reason: 'held_back', detail: error.reason, experimentVariant, quiet: true }
        : { outcome: 'fallback', reason: 'data_missing', detail: error.reason, experimentVariant };
    }
    return { outcome: 'fallback', reason: 'error', detail: (error as Error)?.message ?? String(error), error, experimentVariant };
  }
}

/**
 * Logs a fallback served instead of the live view: an error as an error, rules
 * or missing data as a warning. The holdout's fallback is the experiment
 * working as configured, not a problem to log.
 */
export function logFallback(log: Pick<Logger, 'error' | 'warn'>, block: PreparedBlock, resolution: Resolution, message: string): void {
  if (resolution.outcome !== 'fallback' || resolution.reason === 'holdout' || resolution.quiet) return;
  const fields = { block: block.config.id, reason: resolution.reason, detail: resolution.detail, err: resolution.error };
  if (resolution.reason === 'error') log.error(fields, message);
  else log.warn(fields, message);
}

/** The items amp-list shows when the block cannot show its live content, in the reader's language. */
export function fallbackPayload(block: PreparedBlock, locale: string): AmpListPayload {
  return { items: [...fallbackItemsOf(block, locale)] };
}

/** The amp-list payload of a resolution: the view as its kind writes it, or the block's fallback items for the open's locale. */
export function jsonFor(block: PreparedBlock, resolution: Resolution, locale: string): AmpListPayload {
  return resolution.outcome === 'view' ? withKind(resolution.view, (kind, view) => kind.toJson(view)) : fallbackPayload(block, locale);
}
