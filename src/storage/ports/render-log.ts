import type { ClientClass } from '../../open/open';

/** Which drawing of the view was served. */
export type RenderSurface = 'json' | 'image';

/** What a render showed: the live view, or the fallback items and why. */
export type RenderOutcome = 'view' | 'held_back' | 'data_missing' | 'error' | 'holdout';

/** One row of the render log: what one JSON or image render showed one subscriber. */
export interface RenderRecord {
  /** Epoch milliseconds. */
  renderedAt: number;
  campaignId: string;
  blockId: string;
  subscriberId: string;
  surface: RenderSurface;
  client: ClientClass;
  /** A machine fetch ahead of reading (Apple Mail Privacy Protection): not a human open. */
  prefetch: boolean;
  /** Experiment variant ("holdout" for the holdout), or null when the block runs no experiment. */
  variant: string | null;
  outcome: RenderOutcome;
  /** Served from a lock-at-first-open frozen view (or froze one). */
  locked: boolean;
  /** Slot i → the id of the item shown there (product ids); empty for kinds without items and for fallbacks. */
  itemIds: readonly string[];
}

/** One click on a slot of a block's picture (GET /c/v1/blocks/:block/:slot). */
export interface ClickRecord {
  /** Epoch milliseconds. */
  clickedAt: number;
  campaignId: string;
  blockId: string;
  subscriberId: string;
  slot: number;
  /** The subscriber's experiment variant for the block, or null. */
  variant: string | null;
  /** Where the click was sent. */
  url: string;
}

/** Per block and variant, the raw counts a campaign report is computed from. */
export interface ReportCounts {
  blockId: string;
  variant: string | null;
  /** Every render, JSON and image, prefetches included. */
  renders: number;
  prefetchRenders: number;
  /** Distinct subscribers with a human (non-prefetch) render or a click: a click proves a human open. */
  humanOpeners: number;
  clicks: number;
  /** Distinct subscribers who clicked. */
  clickers: number;
}

/**
 * The render log and the clicks: what the emails showed and what was
 * clicked, appended behind the requests (recording/render-log.ts) and read by
 * campaign reports (GET /api/v1/reports/campaigns/:id, `opentime report`).
 *
 * Promises every implementation keeps (test/storage/contract.ts):
 * - appends are all or nothing per call and resolve once committed; every
 *   row is kept (no de-duplication: two renders are two rows);
 * - `campaignReportCounts` counts, for one campaign, every row appended by
 *   any process, grouped by block and variant (null is a variant of its
 *   own), as ReportCounts describes; a campaign with no rows gives [].
 * - `subscriberTimeline` answers one subscriber's rows of one campaign,
 *   renders and clicks each newest first (ties: the later append first), at
 *   most `limit` of each, every field as appended; none: two empty lists.
 */
export interface RenderLogStore {
  appendRenders(records: readonly RenderRecord[]): Promise<void>;
  appendClicks(records: readonly ClickRecord[]): Promise<void>;
  campaignReportCounts(campaignId: string): Promise<ReportCounts[]>;
  /** What one subscriber was shown and clicked in one campaign (the console's timeline; README "Console"). */
  subscriberTimeline(campaignId: string, subscriberId: string, limit: number): Promise<SubscriberTimelineRows>;
}

/** One subscriber's render-log rows of one campaign, each list newest first. */
export interface SubscriberTimelineRows {
  renders: RenderRecord[];
  clicks: ClickRecord[];
}
