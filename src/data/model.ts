/**
 * The records the rule engine reads. These are the store's vocabulary: every
 * store implementation (SQLite today, a networked database later) returns
 * exactly these shapes.
 */

export type StockState = 'in_stock' | 'low_stock' | 'sold_out';

export interface Product {
  id: string;
  name: string;
  url: string;
  image: string;
  category: string;
  /** Regular price in major units of `currency` (e.g. 79.9). */
  price: number;
  /** Sale price when the product is on sale, otherwise null. */
  salePrice: number | null;
  /** ISO 4217 code, e.g. "EUR". */
  currency: string;
  /**
   * The product's price in other currencies (ISO 4217 code → price), beside
   * its own: a block shows each subscriber's currency (data/market.ts). Never
   * holds the product's own currency; empty when it sells in that one only.
   */
  prices: PriceList;
  /** ISO 3166-1 alpha-2 countries it is sold in, e.g. ["DE", "FR"]; empty: everywhere. */
  markets: string[];
  stock: number;
  /** Units sold recently; orders category best-sellers. */
  popularity: number;
  /** ISO 8601 timestamp of the source's last change. */
  updatedAt: string;
}

/** A product's price in one currency, in major units; `salePrice` as on the product. */
export interface CurrencyPrice {
  price: number;
  salePrice: number | null;
}

/** ISO 4217 code → the product's price in that currency. */
export type PriceList = Readonly<Record<string, CurrencyPrice>>;

export interface LoyaltyTierDefinition {
  name: string;
  /** Points needed to reach this tier. */
  minPoints: number;
}

export interface Subscriber {
  id: string;
  firstName: string;
  /** BCP 47 locale, e.g. "de-DE". */
  locale: string;
  /** IANA time zone, e.g. "Europe/Berlin". */
  timeZone: string;
  /** ISO 4217 code the subscriber shops in. */
  currency: string;
  country: string | null;
  city: string | null;
  loyaltyPoints: number;
  loyaltyTier: string | null;
  /** Product ids, most recent first. */
  recentViews: string[];
  cart: string[];
  purchases: string[];
  /**
   * Named moments of the subscriber's profile (name → ISO 8601 time), e.g.
   * `{ couponExpiresAt: "2026-12-24T23:59:00+01:00" }`: a countdown may count
   * down to one (`deadline: { profileDate: … }`). Read back always present
   * (`{}` when none); optional so that records built in code need not name it.
   */
  dates?: SubscriberDates;
  /**
   * Where the profile places the subscriber, in WGS 84 degrees (both or
   * neither): an open whose address is a mail proxy's reads the weather here
   * (open/location.ts). Read back always present (null when none); optional
   * so that records built in code need not name them.
   */
  latitude?: number | null;
  longitude?: number | null;
  updatedAt: string;
}

/** Date name → ISO 8601 time with its offset, as sent. */
export type SubscriberDates = Readonly<Record<string, string>>;

/** What a date name may be: an identifier, as the ingestion API and a countdown's `profileDate` check it. */
export const SUBSCRIBER_DATE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** At most this many named dates per subscriber. */
export const MAX_SUBSCRIBER_DATES = 32;

export interface Campaign {
  id: string;
  name: string;
  /** ISO 8601 deadline, or null for a campaign without one. */
  endsAt: string | null;
  /** Sender addresses or domains allowed to call our AMP endpoints for this campaign. */
  allowedSenders: string[];
  /** ISO 3166-1 alpha-2 country codes the campaign is sent to, e.g. ["DE", "AT"]; empty: every market. */
  markets: string[];
  /** Names of the templates under amp-templates/ the campaign sends, e.g. ["flash-sale"]. */
  templates: string[];
  /** ISO 8601 timestamp of the source's last change: orders writes like a product's (README, "Campaigns"). */
  updatedAt: string;
}
