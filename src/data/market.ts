import { localeParts } from '../format/intl-cache';
import type { CurrencyPrice, PriceList, Product, Subscriber } from './model';

/**
 * A MARKET: where a subscriber shops — their country and the currency they
 * pay in (README "Markets and currencies"). A block
 * shows every price in its market's currency, and only products sold in its
 * country, so one block never mixes two currencies.
 */
export interface Market {
  /** ISO 3166-1 alpha-2, e.g. "GB"; null when neither the record nor the locale names one. */
  country: string | null;
  /** ISO 4217, e.g. "GBP"; null for a generic render without `defaultCurrency` (the first product shown sets it). */
  currency: string | null;
}

const supportedCurrencies = new Set(Intl.supportedValuesOf('currency'));

export function isCurrencyCode(code: string): boolean {
  return supportedCurrencies.has(code);
}

/** The region subtag of a locale ("en-GB" → "GB"), or null when it names none or is not a locale. */
function regionOf(locale: string): string | null {
  return localeParts(locale)?.region ?? null;
}

/**
 * The market of an open. A known subscriber's is their record: `country`
 * (else their locale's region) and `currency`. A generic render (unknown
 * subscriber) takes the block's: the region of the locale it is shown in
 * (its `defaultLocale`) and its `defaultCurrency`, if it has one.
 */
export function marketOf(subscriber: Subscriber | null, shownIn: { locale: string; defaultCurrency?: string | undefined }): Market {
  if (subscriber) {
    return { country: subscriber.country ?? regionOf(subscriber.locale), currency: subscriber.currency };
  }
  return { country: regionOf(shownIn.locale), currency: shownIn.defaultCurrency ?? null };
}

/** Sold in `country`: a product with no markets sells everywhere; one with markets only there, and never where the country is unknown. */
function isSoldIn(product: Product, country: string | null): boolean {
  return product.markets.length === 0 || (country !== null && product.markets.includes(country));
}

/** The product's price in `currency`: its own when that is its currency, else its price list's entry, else undefined. */
export function priceIn(product: Product, currency: string): CurrencyPrice | undefined {
  if (product.currency === currency) return { price: product.price, salePrice: product.salePrice };
  return Object.hasOwn(product.prices, currency) ? product.prices[currency] : undefined;
}

/**
 * Re-priced products are cached per stored product object (the catalogue
 * cache hands out the same objects open after open), so their rule facts,
 * which are cached per object too (rules/facts.ts), are built once.
 */
const repriced = new WeakMap<Product, Map<string, Product | null>>();

/**
 * The product as a block of this market shows it: price, sale price and
 * currency in `currency` (rules see these), or undefined when it is not sold
 * in `country` or has no price in `currency`.
 */
export function productIn(product: Product, country: string | null, currency: string): Product | undefined {
  if (!isSoldIn(product, country)) return undefined;
  if (product.currency === currency) return product;
  let byCurrency = repriced.get(product);
  if (byCurrency === undefined) {
    byCurrency = new Map();
    repriced.set(product, byCurrency);
  }
  let shown = byCurrency.get(currency);
  if (shown === undefined) {
    const price = priceIn(product, currency);
    shown = price ? { ...product, price: price.price, salePrice: price.salePrice, currency } : null;
    byCurrency.set(currency, shown);
  }
  return shown ?? undefined;
}

/**
 * A price list as stored: currencies in code order, without the product's own
 * currency (its own price wins: a patch that moves a product to a currency
 * its list holds drops that entry), each entry exactly `{ price, salePrice }`.
 * One shape whatever the source, so an unchanged list compares equal and a
 * feed loaded twice rewrites nothing.
 */
export function normalizedPriceList(prices: PriceList, ownCurrency: string): PriceList {
  const out: Record<string, CurrencyPrice> = {};
  for (const code of Object.keys(prices).sort()) {
    const entry = prices[code] as CurrencyPrice;
    if (code !== ownCurrency) out[code] = { price: entry.price, salePrice: entry.salePrice ?? null };
  }
  return out;
}

/** Countries in code order, each once. */
export function normalizedMarkets(markets: readonly string[]): string[] {
  return [...new Set(markets)].sort();
}
