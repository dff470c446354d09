import { z } from 'zod';
import { isCurrencyCode, marketOf, productIn, type Market } from '../../data/market';
import type { Product } from '../../data/model';
import type { ResolveContext } from '../kind';

/**
 * The option every kind that shows prices adds to its block schema: the
 * currency of a generic render (an unknown subscriber), which has no
 * currency of its own (README "Markets and currencies").
 */
export const marketBlockOptions = {
  /** ISO 4217; unset: a generic render shows the currency of the first product it shows. */
  defaultCurrency: z
    .string()
    .refine(isCurrencyCode, { message: 'expected an ISO 4217 currency code such as EUR, USD, GBP' })
    .optional(),
};

/** How many times a best-seller list is read again to replace products this market cannot show. */
const MAX_FILL_ROUNDS = 3;

/**
 * The products one block may show, as it shows them: only those sold in its
 * market's country, each re-priced in ONE currency, so a block never shows
 * two currencies (docs/ARCHITECTURE.md, "Views": every price is formatted in
 * the subscriber's currency). A subscriber's currency is their record's; a
 * generic render's is the block's `defaultCurrency`, or else the currency of
 * the first product the block settles on.
 */
export class BlockMarket {
  readonly market: Market;
  private currency: string | null;

  constructor(context: ResolveContext, defaultCurrency: string | undefined) {
    this.market = marketOf(context.open.subscriber, { locale: context.open.locale, defaultCurrency });
    this.currency = this.market.currency;
  }

  /** The product priced in this block's currency, or undefined when it is not sold in the market or has no price in that currency. */
  show(product: Product): Product | undefined {
    return productIn(product, this.market.country, this.currency ?? product.currency);
  }

  /** Called with a product the block shows: a generic render without a currency takes this product's. */
  settle(shown: Product): void {
    this.currency ??= shown.currency;
  }

  /**
   * Offers best-sellers read through `read` to `offer` until it has accepted
   * `wanted` of them. A product the market cannot show (or `offer` refuses)
   * is excluded and the list read again further down, a bounded number of
   * times, so its cost stays independent of the catalogue's size.
   */
  async fill(
    read: (limit: number, excludeIds: readonly string[]) => Promise<readonly Product[]>,
    excludeIds: Iterable<string>,
    wanted: number,
    offer: (product: Product) => boolean,
  ): Promise<void> {
    const excluded = new Set(excludeIds);
    let missing = wanted;
    for (let round = 0; round < MAX_FILL_ROUNDS && missing > 0; round++) {
      const asked = missing;
      const candidates = await read(asked, [...excluded]);
      for (const candidate of candidates) {
        if (missing === 0) break;
        excluded.add(candidate.id);
        if (offer(candidate)) missing--;
      }
      // Fewer than asked: the list has nothing further down.
      if (candidates.length < asked) break;
    }
  }
}
