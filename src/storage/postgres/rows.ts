import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';

/**
 * The column lists of the catalogue tables, in both directions. Reads alias
 * each column to its record field ("sale_price AS "salePrice""), so a row IS
 * the record: node-postgres hands back numbers (float8, and int8 through the
 * pool's parser), text[] as string[], NULL as null. Writes send a whole
 * batch as ONE jsonb array of records, unpacked by jsonb_to_recordset with
 * these column definitions (keys are the records' own field names), so a
 * batch of any size is one statement and one round trip, and a field of the
 * wrong type fails the statement, and with it the batch. Everything that
 * knows these column names lives here and in the SQL beside it, so a schema
 * change touches one folder.
 */

export const PRODUCT_COLUMNS = 'id, name, url, image, category, price, sale_price, currency, prices, markets, stock, popularity, updated_at';
export const PRODUCT_FIELDS =
  'id, name, url, image, category, price, sale_price AS "salePrice", currency, prices, markets, stock, popularity, updated_at AS "updatedAt"';
export const PRODUCT_RECORD = `
  id text, name text, url text, image text, category text, price double precision, "salePrice" double precision,
  currency text, prices jsonb, markets text[], stock bigint, popularity bigint, "updatedAt" text`;
export const PRODUCT_FROM_RECORD = 'id, name, url, image, category, price, "salePrice", currency, prices, markets, stock, popularity, "updatedAt"';
export const PRODUCT_UPDATE = `
  name = excluded.name, url = excluded.url, image = excluded.image, category = excluded.category,
  price = excluded.price, sale_price = excluded.sale_price, currency = excluded.currency,
  prices = excluded.prices, markets = excluded.markets,
  stock = excluded.stock, popularity = excluded.popularity, updated_at = excluded.updated_at`;

export const SUBSCRIBER_COLUMNS =
  'id, first_name, locale, time_zone, currency, country, city, loyalty_points, loyalty_tier, recent_views, cart, purchases, dates, latitude, longitude, updated_at';
export const SUBSCRIBER_FIELDS =
  'id, first_name AS "firstName", locale, time_zone AS "timeZone", currency, country, city, loyalty_points AS "loyaltyPoints", ' +
  'loyalty_tier AS "loyaltyTier", recent_views AS "recentViews", cart, purchases, dates, latitude, longitude, updated_at AS "updatedAt"';
export const SUBSCRIBER_RECORD = `
  id text, "firstName" text, locale text, "timeZone" text, currency text, country text, city text, "loyaltyPoints" bigint,
  "loyaltyTier" text, "recentViews" text[], cart text[], purchases text[], dates jsonb, latitude double precision, longitude double precision, "updatedAt" text`;
export const SUBSCRIBER_FROM_RECORD =
  'id, "firstName", locale, "timeZone", currency, country, city, "loyaltyPoints", "loyaltyTier", "recentViews", cart, purchases, COALESCE(dates, \'{}\'::jsonb), latitude, longitude, "updatedAt"';
export const SUBSCRIBER_UPDATE = `
  first_name = excluded.first_name, locale = excluded.locale, time_zone = excluded.time_zone,
  currency = excluded.currency, country = excluded.country, city = excluded.city,
  loyalty_points = excluded.loyalty_points, loyalty_tier = excluded.loyalty_tier,
  recent_views = excluded.recent_views, cart = excluded.cart, purchases = excluded.purchases,
  dates = excluded.dates, latitude = excluded.latitude, longitude = excluded.longitude, updated_at = excluded.updated_at`;

export const CAMPAIGN_COLUMNS = 'id, name, ends_at, allowed_senders, markets, templates, updated_at';
export const CAMPAIGN_FIELDS = 'id, name, ends_at AS "endsAt", allowed_senders AS "allowedSenders", markets, templates, updated_at AS "updatedAt"';
export const CAMPAIGN_RECORD = 'id text, name text, "endsAt" text, "allowedSenders" text[], markets text[], templates text[], "updatedAt" text';
export const CAMPAIGN_FROM_RECORD = 'id, name, "endsAt", "allowedSenders", markets, templates, "updatedAt"';
export const CAMPAIGN_UPDATE =
  'name = excluded.name, ends_at = excluded.ends_at, allowed_senders = excluded.allowed_senders, ' +
  'markets = excluded.markets, templates = excluded.templates, updated_at = excluded.updated_at';

/** What the ports run statements on: the pool (one statement, its own transaction) or a connection inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>>;
}

/**
 * The last record of each id, in a batch that may name one twice: one
 * `INSERT … ON CONFLICT DO UPDATE` may not touch a row twice (PostgreSQL
 * manual, "INSERT"), and written one after the other the last would win,
 * as it does on SQLite.
 */
export function lastOfEachId<T extends { id: string }>(records: readonly T[]): T[] {
  return [...new Map(records.map((record) => [record.id, record])).values()];
}
