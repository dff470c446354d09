import type { Product } from '../data/model';
import type { NotifyRequest } from '../storage/ports/notify-requests';
import type { TriggerJobOp } from '../storage/ports/trigger-jobs';
import type { PreparedTrigger } from './trigger-config';
import { enqueueOp } from './trigger-planner';

/**
 * Triggers on catalogue changes (README "Triggered sends"): a product patch,
 * not an event, starts them. Pure: the intake (trigger-intake.ts) reads who
 * they are for and hands the ops to the same queue as event triggers, so
 * quiet hours, the day's cap, dedupe and expireAfter apply alike.
 */

/** What a product sells for in each currency it has: its sale price, else its price (the base currency and the price list). */
function pricesByCurrency(product: Product): Map<string, number> {
  const prices = new Map<string, number>([[product.currency, product.salePrice ?? product.price]]);
  for (const [currency, entry] of Object.entries(product.prices)) prices.set(currency, entry.salePrice ?? entry.price);
  return prices;
}

/** Whether some currency's price went down by at least `minDropPercent` percent (a currency new or gone compares nothing). */
export function priceDropped(before: Product, after: Product, minDropPercent: number): boolean {
  const old = pricesByCurrency(before);
  for (const [currency, price] of pricesByCurrency(after)) {
    const was = old.get(currency);
    // The epsilon keeps an exact 1 % drop (100 → 99) a 1 % drop in floating point.
    if (was !== undefined && was > 0 && price < was && (was - price) / was >= minDropPercent / 100 - 1e-9) return true;
  }
  return false;
}

/** One person a catalogue trigger is for: why (a stable cause id, so a replay plans the same job) and the product. */
export interface CatalogueRecipient {
  subscriberId: string;
  productId: string;
  /** `back_in_stock:<product>:<subscriber>:<requested at>` or `price_drop:<product>:<subscriber>:<at>`. */
  cause: string;
}

export function backInStockRecipients(requests: readonly Pick<NotifyRequest, 'subscriberId' | 'productId' | 'requestedAt'>[]): CatalogueRecipient[] {
  return requests.map((request) => ({
    subscriberId: request.subscriberId,
    productId: request.productId,
    cause: `back_in_stock:${request.productId}:${request.subscriberId}:${request.requestedAt}`,
  }));
}

export function priceDropRecipients(productId: string, viewers: readonly string[], at: number): CatalogueRecipient[] {
  return viewers.map((subscriberId) => ({ subscriberId, productId, cause: `price_drop:${productId}:${subscriberId}:${at}` }));
}

/** The queue jobs of one catalogue trigger: one per recipient, due `delay` after the change, deduplicated as the trigger says. */
export function planCatalogueJobs(trigger: PreparedTrigger, recipients: readonly CatalogueRecipient[], at: number, now: number): TriggerJobOp[] {
  return recipients.map(({ subscriberId, productId, cause }) => enqueueOp(trigger, subscriberId, productId, cause, at, now));
}
