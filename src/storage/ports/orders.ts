/** Which touch an order is credited to (README "Conversions and revenue"). */
export type AttributionModel = 'last_click' | 'last_open';

export const ATTRIBUTION_MODELS: readonly AttributionModel[] = ['last_click', 'last_open'];

/** One moment a subscriber met a block: a click on it, or a human (non-prefetch) render of it. */
export interface Touch {
  campaignId: string;
  blockId: string;
  /** The experiment arm ("holdout" for the holdout), or null when the block runs no experiment. */
  variant: string | null;
  /** Epoch milliseconds. */
  at: number;
}

/** One line of an order: what was bought, how many, at what unit price (a decimal string in the order's currency). */
export interface OrderLine {
  productId: string;
  quantity: number;
  unitAmount: string;
}

/** An order as stored, with the touches found when it arrived. */
export interface OrderRecord {
  orderId: string;
  /** Null for an order that named only an anonymous id. */
  subscriberId: string | null;
  anonymousId: string | null;
  /** When it was placed at the shop (epoch ms). */
  occurredAt: number;
  /** When Opentime received it (epoch ms). */
  receivedAt: number;
  /** ISO 4217. */
  currency: string;
  /** The order's total in the currency's minor units (cents): sums stay exact. */
  totalMinor: number;
  lines: OrderLine[];
  /** The subscriber's last click within the window before the order, if any. */
  click: Touch | null;
  /** The subscriber's last human open within the window before the order, if any. */
  open: Touch | null;
}

/** One buyer's attributed orders of one campaign, per block, arm and currency (the report's raw rows). */
export interface CampaignOrderRow {
  blockId: string;
  variant: string | null;
  currency: string;
  subscriberId: string;
  orders: number;
  revenueMinor: number;
}

/**
 * Orders and their attribution (src/conversions/). Written by the events
 * API (`order_completed`) and the conversion pixel, read by campaign reports.
 *
 * Promises every implementation keeps (test/storage/contract.ts):
 * - `recordOrders` is one transaction and resolves once committed; an order
 *   id already stored (earlier, in the same call, or by another process) is
 *   reported as a duplicate and changes nothing: the first one written wins;
 * - `lastTouches` answers the latest click and the latest human (prefetch =
 *   false) render of one subscriber with `since <= at <= until`, across every
 *   campaign, through the (subscriber, time) indexes; ties: the later append;
 * - `campaignOrderRows` groups the orders credited to one campaign under the
 *   model (`last_click`: the click touch, `last_open`: the open touch) by
 *   block, arm, currency and subscriber; orders without that touch are left out;
 * - `awaitingIdentity` answers the orders of one anonymous id not credited to
 *   a subscriber yet, oldest placed first; `creditAnonymous` credits each one
 *   only while it still has no subscriber (a second credit changes nothing)
 *   and says how many it credited.
 */
export interface OrderStore {
  recordOrders(orders: readonly OrderRecord[]): Promise<{ recorded: string[]; duplicates: string[] }>;
  lastTouches(subscriberId: string, since: number, until: number): Promise<{ click: Touch | null; open: Touch | null }>;
  campaignOrderRows(campaignId: string, model: AttributionModel): Promise<CampaignOrderRow[]>;
  getOrder(orderId: string): Promise<OrderRecord | undefined>;
  awaitingIdentity(anonymousId: string): Promise<OrderRecord[]>;
  creditAnonymous(credits: readonly AnonymousCredit[]): Promise<number>;
}

/** An anonymous order credited once its anonymous id is linked: to whom, and the touches found for them then. */
export interface AnonymousCredit {
  orderId: string;
  subscriberId: string;
  click: Touch | null;
  open: Touch | null;
}
