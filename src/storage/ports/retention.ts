/**
 * Housekeeping of what opens and ingestion leave behind
 * (recording/retention.ts runs it hourly). Each call deletes at most `limit`
 * rows of one kind, oldest first, and only rows from before `before`, so a
 * write lock is short and opens keep flowing between calls; it resolves to
 * how many went, and the caller calls again until that is 0.
 *
 * Promises every implementation keeps (test/storage/contract.ts): at most
 * `limit` rows per call (0 or less: none), never a row from `before` or
 * later, the oldest first.
 */
export interface RetentionStore {
  /**
   * Render-log rows, in the order they were appended. Processes' clocks
   * interleave a little, so a call may stop at a row from the window with
   * older ones appended after it: those go in a later run, seconds late.
   */
  pruneRenders(before: Date, limit: number): Promise<number>;
  /** Clicks, likewise. */
  pruneClicks(before: Date, limit: number): Promise<number>;
  /** Locks taken before `before` (by `lockedAt`). */
  pruneBlockLocks(before: Date, limit: number): Promise<number>;
  /** Impressions rendered before `before`: a click on them opens what the block shows at the click instead. */
  pruneImpressions(before: Date, limit: number): Promise<number>;
  /** Ids of events received before `before`: a replay older than that is no longer recognised as one. */
  pruneIngestedEvents(before: Date, limit: number): Promise<number>;
  /**
   * When each subscriber's cart last changed per product, for changes before
   * `before`: a cart event older than that, delivered after it, is applied as
   * if nothing later had happened (as a replayed event id older than the
   * floor is; webhooks are retried for days, not a month).
   */
  pruneCartEventTimes(before: Date, limit: number): Promise<number>;
  /**
   * Events kept for anonymous ids (docs/ARCHITECTURE.md, "Identity") that
   * arrived before `before`: an id identified later merges only what is left.
   */
  pruneAnonymousEvents(before: Date, limit: number): Promise<number>;
  /**
   * When views and purchases happened, for those before `before`: such an
   * entry then counts as recent as the one above it when a history merges.
   */
  pruneProfileEntryTimes(before: Date, limit: number): Promise<number>;
  /**
   * Outgoing webhooks (the outbox) delivered or given up before `before`,
   * oldest queued first. A message still to be delivered (due or retrying)
   * is never pruned, however old.
   */
  pruneSettledWebhooks(before: Date, limit: number): Promise<number>;
}
