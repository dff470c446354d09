import type { Campaign, CurrencyPrice, PriceList, Product, Subscriber, SubscriberDates } from '../../data/model';

/**
 * Rows and the row <-> record mapping of the catalogue tables. Everything
 * that knows these column names lives here and in the SQL beside the
 * statements, so a schema change touches one folder.
 */

export interface ProductRow {
  id: string;
  name: string;
  url: string;
  image: string;
  category: string;
  price: number;
  sale_price: number | null;
  currency: string;
  /** JSON object: currency code → { price, salePrice }. */
  prices: string;
  /** JSON array of country codes. */
  markets: string;
  stock: number;
  popularity: number;
  updated_at: string;
}

export interface SubscriberRow {
  id: string;
  first_name: string;
  locale: string;
  time_zone: string;
  currency: string;
  country: string | null;
  city: string | null;
  loyalty_points: number;
  loyalty_tier: string | null;
  recent_views: string;
  cart: string;
  purchases: string;
  dates: string;
  latitude: number | null;
  longitude: number | null;
  updated_at: string;
}

export interface CampaignRow {
  id: string;
  name: string;
  ends_at: string | null;
  allowed_senders: string;
  markets: string;
  templates: string;
  updated_at: string;
}

export const PRODUCT_COLUMNS = 'id, name, url, image, category, price, sale_price, currency, prices, markets, stock, popularity, updated_at';
export const SUBSCRIBER_COLUMNS =
  'id, first_name, locale, time_zone, currency, country, city, loyalty_points, loyalty_tier, recent_views, cart, purchases, dates, latitude, longitude, updated_at';
export const CAMPAIGN_COLUMNS = 'id, name, ends_at, allowed_senders, markets, templates, updated_at';

export function productFromRow(row: ProductRow): Product {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    image: row.image,
    category: row.category,
    price: row.price,
    salePrice: row.sale_price,
    currency: row.currency,
    prices: parsePriceList(row.prices, row.id),
    markets: parseStringList(row.markets, 'product', row.id, 'markets'),
    stock: row.stock,
    popularity: row.popularity,
    updatedAt: row.updated_at,
  };
}

export function productToRow(p: Product): ProductRow {
  return {
    id: p.id,
    name: p.name,
    url: p.url,
    image: p.image,
    category: p.category,
    price: p.price,
    sale_price: p.salePrice ?? null,
    currency: p.currency,
    prices: JSON.stringify(p.prices),
    markets: JSON.stringify(p.markets),
    stock: p.stock,
    popularity: p.popularity,
    updated_at: p.updatedAt,
  };
}

/**
 * JSON list columns are only ever written by this adapter, so a malformed one
 * means the file was edited by hand or is corrupt: say which row and column
 * rather than handing the rule engine something that is not a string[].
 */
export function parseStringList(json: string, table: string, id: string, column: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`${table} ${JSON.stringify(id)}: column ${column} is not valid JSON`);
  }
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new Error(`${table} ${JSON.stringify(id)}: column ${column} is not a JSON array of strings`);
  }
  return value;
}

function isCurrencyPrice(value: unknown): value is CurrencyPrice {
  if (value === null || typeof value !== 'object') return false;
  const { price, salePrice } = value as Record<string, unknown>;
  return typeof price === 'number' && (salePrice === null || typeof salePrice === 'number');
}

/** The prices column, checked like the list columns: a corrupt one names its row instead of reaching a block. */
function parsePriceList(json: string, id: string): PriceList {
  // Most products sell in one currency: skip the parse for the column's default.
  if (json === '{}') return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`product ${JSON.stringify(id)}: column prices is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every(isCurrencyPrice)) {
    throw new Error(`product ${JSON.stringify(id)}: column prices is not a JSON object of {"price", "salePrice"} by currency`);
  }
  return value as PriceList;
}

export function subscriberFromRow(row: SubscriberRow): Subscriber {
  return {
    id: row.id,
    firstName: row.first_name,
    locale: row.locale,
    timeZone: row.time_zone,
    currency: row.currency,
    country: row.country,
    city: row.city,
    loyaltyPoints: row.loyalty_points,
    loyaltyTier: row.loyalty_tier,
    recentViews: parseStringList(row.recent_views, 'subscriber', row.id, 'recent_views'),
    cart: parseStringList(row.cart, 'subscriber', row.id, 'cart'),
    purchases: parseStringList(row.purchases, 'subscriber', row.id, 'purchases'),
    dates: JSON.parse(row.dates) as SubscriberDates,
    latitude: row.latitude,
    longitude: row.longitude,
    updatedAt: row.updated_at,
  };
}

export function subscriberToRow(s: Subscriber): SubscriberRow {
  return {
    id: s.id,
    first_name: s.firstName,
    locale: s.locale,
    time_zone: s.timeZone,
    currency: s.currency,
    country: s.country ?? null,
    city: s.city ?? null,
    loyalty_points: s.loyaltyPoints,
    loyalty_tier: s.loyaltyTier ?? null,
    recent_views: JSON.stringify(s.recentViews),
    cart: JSON.stringify(s.cart),
    purchases: JSON.stringify(s.purchases),
    dates: JSON.stringify(s.dates ?? {}),
    latitude: s.latitude ?? null,
    longitude: s.longitude ?? null,
    updated_at: s.updatedAt,
  };
}

export function campaignFromRow(row: CampaignRow): Campaign {
  return {
    id: row.id,
    name: row.name,
    endsAt: row.ends_at,
    allowedSenders: parseStringList(row.allowed_senders, 'campaign', row.id, 'allowed_senders'),
    markets: parseStringList(row.markets, 'campaign', row.id, 'markets'),
    templates: parseStringList(row.templates, 'campaign', row.id, 'templates'),
    updatedAt: row.updated_at,
  };
}

export function campaignToRow(c: Campaign): CampaignRow {
  return {
    id: c.id,
    name: c.name,
    ends_at: c.endsAt ?? null,
    allowed_senders: JSON.stringify(c.allowedSenders),
    markets: JSON.stringify(c.markets),
    templates: JSON.stringify(c.templates),
    updated_at: c.updatedAt,
  };
}
