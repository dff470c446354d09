/** What one image render showed a subscriber: the link behind each slot (see blocks/slots.ts). */
export interface Impression {
  subscriberId: string;
  campaignId: string;
  blockId: string;
  /** Slot i → the URL of what was drawn there. */
  urls: string[];
  /** ISO 8601 time of the render (UTC, as toISOString() writes it, so times compare as text too). */
  renderedAt: string;
}

/**
 * What image renders showed, so a click on slot N opens what the picture
 * showed there (click-through). The image route writes through the
 * impression log (recording/impression-log.ts), which batches; the click
 * route reads.
 *
 * Promises every implementation keeps (test/storage/contract.ts):
 * - `record` writes a batch in one transaction and resolves once it is
 *   committed; from then on `latest`, on this Storage and on every other one
 *   open on the same database (another process, another machine), returns
 *   that impression or a newer one;
 * - latest wins: per subscriber, campaign and block only the impression with
 *   the latest `renderedAt` is kept; an older one never replaces a newer one,
 *   whatever order batches arrive in, from one process or several.
 */
export interface ImpressionStore {
  record(impressions: readonly Impression[]): Promise<void>;
  latest(subscriberId: string, campaignId: string, blockId: string): Promise<Impression | undefined>;
}
