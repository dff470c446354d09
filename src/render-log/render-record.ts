import type { ClientClass } from '../open/open';

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

/** Where the render log and clicks are kept, and what reports read. */
export interface RenderLogStore {
  /** Appends renders in one transaction. */
  recordRenders(records: readonly RenderRecord[]): Promise<void>;
  /** Appends clicks in one transaction. */
  recordClicks(records: readonly ClickRecord[]): Promise<void>;
  /** Deletes at most `limit` renders and at most `limit` clicks older than `before`; resolves to how many rows went. */
  pruneRenderLog(before: Date, limit: number): Promise<number>;
  campaignReportCounts(campaignId: string): Promise<ReportCounts[]>;
}
