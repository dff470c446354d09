import { z } from 'zod';
import { isSupportedTimeZone } from '../format/intl-cache';
import type { ItemProblem } from '../http/error-catalogue';
import type { EventSubject, SubscriberEvent } from '../data/subscriber-events';
import { campaignPatchSchema } from './campaign-schema';
import { MAX_SUBSCRIBER_DATES, SUBSCRIBER_DATE_NAME } from '../data/model';

/**
 * The ingestion payloads. Strict objects: an unknown field is reported (a
 * typo like "sale_price" must not be silently dropped). Every record may
 * carry `updatedAt`, the source's timestamp, used to ignore stale updates;
 * it may not run more than the tolerated clock skew ahead of the server.
 */
export const MAX_BATCH = 5_000;

const currencies = new Set(Intl.supportedValuesOf('currency'));
export const id = z.string().trim().min(1).max(128);
export const isoTimestamp = z.iso
  .datetime({ offset: true, message: 'expected an ISO 8601 timestamp with a zone, e.g. 2026-11-22T10:00:00Z' })
  .meta({
    description:
      "The source's time of this state (ISO 8601 with a zone); an update older than the stored one is ignored as stale. At most OPENTIME_MAX_CLOCK_SKEW_S (300 s) ahead of the server clock.",
  });
export const currency = z
  .string()
  .refine((code) => currencies.has(code), { message: 'expected an ISO 4217 currency code such as EUR, USD, GBP' })
  .meta({ description: 'ISO 4217 code, e.g. EUR' });
const money = z.number().finite().min(0).max(1e9);
const httpUrl = z.url({ protocol: /^https?$/, message: 'expected an absolute http(s) URL' });
const locale = z.string().refine(
  (tag) => {
    try {
      return Intl.getCanonicalLocales(tag).length === 1;
    } catch {
      return false;
    }
  },
  { message: 'expected a BCP 47 locale such as en-US or de-DE' },
).meta({ description: 'BCP 47 locale, e.g. de-DE' });
const timeZone = z
  .string()
  .refine(isSupportedTimeZone, { message: 'expected an IANA time zone such as Europe/Berlin' })
  .meta({ description: 'IANA time zone, e.g. Europe/Berlin' });
const idList = z.array(id).max(200);
const countryCode = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code such as DE');
/** Enough for every currency there is; a longer list is a mistake. */
const MAX_PRICE_LIST = 200;

/** Other currencies' prices: each entry a price and, when on sale there, a sale price (README "Markets and currencies"). */
const priceList = z
  .record(
    currency,
    z.strictObject({ price: money, salePrice: money.nullable().default(null).meta({ description: 'The sale price in this currency; null or left out: not on sale.' }) }),
  )
  .refine((prices) => Object.keys(prices).length <= MAX_PRICE_LIST, { message: `at most ${MAX_PRICE_LIST} currencies` })
  .meta({
    description:
      'The price in other currencies than `currency`, by ISO 4217 code, e.g. {"GBP": {"price": 77, "salePrice": null}}. Replaces the whole stored list; {} clears it. A subscriber sees the price in their own currency, and a product without it is not shown to them.',
  });

/** A partial product: only `id` is required; absent fields keep their stored value. */
export const productPatchSchema = z.strictObject({
  id,
  name: z.string().trim().min(1).max(300).optional(),
  url: httpUrl.optional(),
  image: httpUrl.optional(),
  category: z.string().trim().min(1).max(100).optional(),
  price: money.optional(),
  salePrice: money.nullable().optional(),
  currency: currency.optional(),
  prices: priceList.optional(),
  markets: z
    .array(countryCode)
    .max(250)
    .meta({ description: 'ISO 3166-1 alpha-2 countries the product is sold in, e.g. ["DE", "FR"]; [] (the default): everywhere. Replaces the whole stored list.' })
    .optional(),
  stock: z.number().int().min(0).max(1e9).optional(),
  popularity: z.number().int().min(0).optional(),
  updatedAt: isoTimestamp.optional(),
}).superRefine(
  (patch, context) => {
    // The product's own price is `price`: a second one in its price list would leave it unclear which is shown.
    // Checked even when other fields failed (`when`), so a sender sees every problem at once: the values may be raw.
    const { currency: own, prices } = patch as { currency?: unknown; prices?: unknown };
    if (typeof own === 'string' && typeof prices === 'object' && prices !== null && Object.hasOwn(prices, own)) {
      context.addIssue({ code: 'custom', path: ['prices', own], message: `${own} is the product's own currency: its price goes in "price" and "salePrice", not in "prices"` });
    }
  },
  { when: () => true },
);

/** A latitude or longitude in degrees within ±limit, or null; every way of missing it gets the one message. */
function coordinate(name: 'latitude' | 'longitude', limit: number) {
  const expected = `expected a ${name} in degrees from -${limit} to ${limit}, or null`;
  return z.number({ error: expected }).min(-limit, expected).max(limit, expected).nullable().optional();
}

export const subscriberPatchSchema = z.strictObject({
  id,
  firstName: z.string().trim().max(100).optional(),
  locale: locale.optional(),
  timeZone: timeZone.optional(),
  currency: currency.optional(),
  country: countryCode.nullable().optional(),
  city: z.string().trim().max(100).nullable().optional(),
  loyaltyPoints: z.number().int().min(0).optional(),
  loyaltyTier: z.string().trim().max(50).nullable().optional(),
  recentViews: idList.optional(),
  cart: idList.optional(),
  purchases: idList.optional(),
  dates: z
    .record(
      z.string().regex(SUBSCRIBER_DATE_NAME, { message: 'expected a date name: a letter, then letters, digits or _ (at most 64)' }),
      z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time with a zone, e.g. 2026-12-24T23:59:00+01:00, or null to remove it' }).nullable(),
    )
    .refine((dates) => Object.keys(dates).length <= MAX_SUBSCRIBER_DATES, { message: `expected at most ${MAX_SUBSCRIBER_DATES} dates` })
    .optional()
    .meta({ description: 'Named dates of the profile (e.g. couponExpiresAt), merged into the stored ones; null removes one. A countdown may count down to one.' }),
  latitude: coordinate('latitude', 90).meta({
    description: 'Where the profile places the subscriber (with longitude): the weather of an open through a mail proxy is read there.',
  }),
  longitude: coordinate('longitude', 180).meta({ description: 'Where the profile places the subscriber (with latitude).' }),
  updatedAt: isoTimestamp.optional(),
});

const eventBase = {
  id: id.meta({ description: 'Unique per event: a repeated id is acknowledged and not applied again.' }),
  occurredAt: isoTimestamp.meta({ description: 'When it happened at the source (ISO 8601 with a zone); orders cart changes and merged histories.' }),
};
/** A behaviour event is about a subscriber or an anonymous id: exactly one of them (README "Events"). */
const behaviourSubject = {
  subscriberId: id.optional().meta({ description: 'The subscriber it is about. Exactly one of subscriberId and anonymousId.' }),
  anonymousId: id
    .optional()
    .meta({ description: 'A cookie or device id, for a shopper not known yet. Exactly one of subscriberId and anonymousId; an `identify` event links it to a subscriber.' }),
};
function exactlyOneSubject(event: { subscriberId?: string | undefined; anonymousId?: string | undefined }, context: z.RefinementCtx): void {
  if (event.subscriberId !== undefined && event.anonymousId !== undefined) {
    context.addIssue({ code: 'custom', path: ['anonymousId'], message: 'expected exactly one of subscriberId and anonymousId, not both' });
  } else if (event.subscriberId === undefined && event.anonymousId === undefined) {
    context.addIssue({ code: 'custom', path: ['subscriberId'], message: 'expected exactly one of subscriberId and anonymousId' });
  }
}

/** The event options, each a strict object (their fields also feed "did you mean" hints). */
const eventOptions = [
  z.strictObject({ ...eventBase, ...behaviourSubject, type: z.literal('product_viewed'), productId: id }).superRefine(exactlyOneSubject),
  z.strictObject({ ...eventBase, ...behaviourSubject, type: z.literal('added_to_cart'), productId: id }).superRefine(exactlyOneSubject),
  z.strictObject({ ...eventBase, ...behaviourSubject, type: z.literal('removed_from_cart'), productId: id }).superRefine(exactlyOneSubject),
  z.strictObject({ ...eventBase, ...behaviourSubject, type: z.literal('purchased'), productIds: z.array(id).min(1).max(200) }).superRefine(exactlyOneSubject),
  z.strictObject({ ...eventBase, subscriberId: id, type: z.literal('points_changed'), delta: z.number().int(), tier: z.string().trim().max(50).optional() }),
  z
    .strictObject({
      ...eventBase,
      type: z.literal('identify'),
      anonymousId: id.meta({ description: 'The anonymous id to link. Its first link wins: linking it to another subscriber later is answered as stale.' }),
      subscriberId: id.meta({ description: 'The subscriber the anonymous id belongs to; its anonymous history merges into theirs, in time order.' }),
    })
    .meta({ description: 'Links an anonymous id to a subscriber (a login, a click from an email).' }),
] as const;

/** The one subject field a validated behaviour event holds (exactlyOneSubject checked it). */
function subjectOf(event: { subscriberId?: string | undefined; anonymousId?: string | undefined }): EventSubject {
  if (event.subscriberId !== undefined) return { subscriberId: event.subscriberId };
  if (event.anonymousId !== undefined) return { anonymousId: event.anonymousId };
  throw new Error('a validated behaviour event has a subscriberId or an anonymousId');
}

export const eventSchema = z.discriminatedUnion('type', [...eventOptions]).transform((event): SubscriberEvent => {
  switch (event.type) {
    case 'points_changed':
    case 'identify':
      return event;
    case 'purchased':
      return { id: event.id, occurredAt: event.occurredAt, type: event.type, productIds: event.productIds, ...subjectOf(event) };
    default:
      return { id: event.id, occurredAt: event.occurredAt, type: event.type, productId: event.productId, ...subjectOf(event) };
  }
});

/** How far a source timestamp may run ahead of the server clock (OPENTIME_MAX_CLOCK_SKEW_S). */
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;

/** The server's clock and the skew it tolerates, for checking source timestamps against. */
export interface ClockSkewLimit {
  now: Date;
  maxClockSkewSeconds: number;
}

/** The fields holding the source's own time of a record: they order updates, so none may lie in the future. */
const SOURCE_TIMESTAMP_FIELDS = ['updatedAt', 'occurredAt'] as const;

/**
 * A timestamp far ahead of the server clock would win every later comparison: a product sent
 * with `updatedAt: 9999-12-31…` would refuse every later timestamped update as stale, for ever.
 * Anything more than the tolerated skew ahead is refused, like any other invalid field.
 */
function futureTimestampProblems(index: number, record: object, limit: ClockSkewLimit): ItemProblem[] {
  const latestMs = limit.now.getTime() + limit.maxClockSkewSeconds * 1000;
  const problems: ItemProblem[] = [];
  for (const field of SOURCE_TIMESTAMP_FIELDS) {
    const value = (record as Partial<Record<(typeof SOURCE_TIMESTAMP_FIELDS)[number], unknown>>)[field];
    if (typeof value !== 'string' || !(Date.parse(value) > latestMs)) continue;
    problems.push({
      index,
      path: field,
      message: `too far in the future: more than ${limit.maxClockSkewSeconds} s ahead of the server clock (the latest accepted now is ${new Date(latestMs).toISOString()})`,
    });
  }
  return problems;
}

/** Field names a record may carry, for "did you mean" hints on unknown fields. */
const knownFields = new Set([
  ...Object.keys(productPatchSchema.shape),
  ...Object.keys(subscriberPatchSchema.shape),
  ...eventOptions.flatMap((option) => Object.keys(option.shape)),
  ...Object.keys(campaignPatchSchema.shape),
]);

function unknownFieldMessage(field: string): string {
  const camel = field.replace(/[_-]([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return camel !== field && knownFields.has(camel) ? `unknown field; did you mean "${camel}"?` : 'unknown field';
}

/** zod issues → one problem per field, paths as "cart.3" (an unknown-keys issue becomes one problem per key). */
function itemProblems(index: number, error: z.ZodError): ItemProblem[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ index, path: [...issue.path, key].join('.'), message: unknownFieldMessage(key) }));
    }
    // A record key that fails its schema (a price list's currency): zod says only "Invalid key in record"; its own issue says why.
    if (issue.code === 'invalid_key') return [{ index, path: issue.path.join('.'), message: issue.issues[0]?.message ?? issue.message }];
    return [{ index, path: issue.path.join('.'), message: issue.message }];
  });
}

/**
 * Validates a batch body `{ "<key>": [ … ] }`. Returns the parsed items or
 * every problem with its item index (-1: the body itself) and field path.
 * All items are checked, not just up to the first bad one, so a sender fixes
 * a batch in one round trip.
 */
export function parseBatch<T extends object>(body: unknown, key: string, schema: z.ZodType<T>, clock: ClockSkewLimit): { items: T[] } | { errors: ItemProblem[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { errors: [{ index: -1, path: '', message: `expected a JSON object {"${key}": [ … ]}` }] };
  }
  const record = body as Record<string, unknown>;
  const list = record[key];
  if (!Array.isArray(list)) return { errors: [{ index: -1, path: key, message: `expected "${key}" to be an array of records` }] };
  const errors: ItemProblem[] = Object.keys(record)
    .filter((name) => name !== key)
    .map((name) => ({ index: -1, path: name, message: `unknown field; expected only "${key}"` }));
  if (list.length > MAX_BATCH) errors.push({ index: -1, path: key, message: `at most ${MAX_BATCH} records per request; received ${list.length}` });
  if (list.length === 0) errors.push({ index: -1, path: key, message: 'expected at least one record' });
  if (errors.length) return { errors };
  const items: T[] = [];
  list.forEach((item, index) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      errors.push(...itemProblems(index, parsed.error));
      return;
    }
    const inTheFuture = futureTimestampProblems(index, parsed.data, clock);
    if (inTheFuture.length) errors.push(...inTheFuture);
    else items.push(parsed.data);
  });
  return errors.length ? { errors } : { items };
}

/** One record, e.g. a feed row: its value or its problems (index -1, paths are field names). */
export function parseRecord<T extends object>(value: unknown, schema: z.ZodType<T>, clock: ClockSkewLimit): { value: T } | { errors: ItemProblem[] } {
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { errors: itemProblems(-1, parsed.error) };
  const inTheFuture = futureTimestampProblems(-1, parsed.data, clock);
  return inTheFuture.length ? { errors: inTheFuture } : { value: parsed.data };
}
