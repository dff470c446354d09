import { normalizedMarkets, normalizedPriceList } from './market';
import type { Product, Subscriber, SubscriberDates } from './model';

/**
 * Partial updates from the ingestion API and feeds. Pure rules, shared by
 * every storage adapter, which applies them inside one transaction
 * (storage/ports/ingestion.ts).
 */
export type ProductPatch = { id: string; updatedAt?: string } & Partial<Omit<Product, 'id' | 'updatedAt'>>;
export type SubscriberPatch = { id: string; updatedAt?: string; dates?: SubscriberDatesPatch } & Partial<Omit<Subscriber, 'id' | 'updatedAt' | 'dates'>>;

/** Named dates to set; null removes one. Dates a patch does not name are kept. */
export type SubscriberDatesPatch = Readonly<Record<string, string | null>>;

/** What became of one record of a batch. */
export type PatchOutcome<T> =
  | { kind: 'apply'; record: T; created: boolean }
  /** The stored record changed later at the source: applying this would roll it back. */
  | { kind: 'stale'; storedUpdatedAt: string }
  /** A new record needs these fields. */
  | { kind: 'incomplete'; missing: string[] };

export const requiredForNewProduct = ['name', 'url', 'image', 'category', 'price', 'currency', 'stock'] as const;
export const requiredForNewSubscriber = ['locale', 'timeZone'] as const;

/**
 * What to do when a batch holds a new record without its required fields:
 * `abort` writes nothing (the API: a batch lands whole or not at all),
 * `skip` writes the others and reports it (feeds: one bad row of a million
 * must not block the catalogue).
 */
export type IncompleteRecordPolicy = 'abort' | 'skip';

/** The answer of a batch of patches, item indexes as in the request. */
export interface PatchBatchResult {
  /** False only under the `abort` policy when `incomplete` is not empty: nothing was written. */
  written: boolean;
  created: number;
  updated: number;
  /** Applied, but identical to what was stored (e.g. a feed loaded twice): nothing to write. */
  unchanged: number;
  stale: { index: number; id: string; storedUpdatedAt: string }[];
  incomplete: { index: number; id: string; missing: string[] }[];
}

/** `patch` when it sets the field (null included: it clears a nullable field), else the stored value. */
const pick = <V>(patched: V | undefined, stored: V): V => (patched === undefined ? stored : patched);

/**
 * The stored product with only the fields the patch sets replaced: a
 * stock-only update keeps the price. Written out field by field, not as a
 * generic key loop: every product then has the same shape, which keeps bulk
 * imports fast (a generic merge cost a third of the import time). A patch's
 * `prices` and `markets` replace the whole list (README "Markets and
 * currencies"): a list is sent whole or not at all.
 */
function mergeProduct(stored: Product, patch: ProductPatch, updatedAt: string): Product {
  const currency = pick(patch.currency, stored.currency);
  return {
    id: stored.id,
    name: pick(patch.name, stored.name),
    url: pick(patch.url, stored.url),
    image: pick(patch.image, stored.image),
    category: pick(patch.category, stored.category),
    price: pick(patch.price, stored.price),
    salePrice: pick(patch.salePrice, stored.salePrice),
    currency,
    prices: patch.prices === undefined && currency === stored.currency ? stored.prices : normalizedPriceList(patch.prices ?? stored.prices, currency),
    markets: patch.markets === undefined ? stored.markets : normalizedMarkets(patch.markets),
    stock: pick(patch.stock, stored.stock),
    popularity: pick(patch.popularity, stored.popularity),
    updatedAt,
  };
}

function mergeSubscriber(stored: Subscriber, patch: SubscriberPatch, updatedAt: string): Subscriber {
  return {
    id: stored.id,
    firstName: pick(patch.firstName, stored.firstName),
    locale: pick(patch.locale, stored.locale),
    timeZone: pick(patch.timeZone, stored.timeZone),
    currency: pick(patch.currency, stored.currency),
    country: pick(patch.country, stored.country),
    city: pick(patch.city, stored.city),
    loyaltyPoints: pick(patch.loyaltyPoints, stored.loyaltyPoints),
    loyaltyTier: pick(patch.loyaltyTier, stored.loyaltyTier),
    recentViews: pick(patch.recentViews, stored.recentViews),
    cart: pick(patch.cart, stored.cart),
    purchases: pick(patch.purchases, stored.purchases),
    dates: patch.dates === undefined ? (stored.dates ?? {}) : mergeDates(stored.dates ?? {}, patch.dates),
    latitude: pick(patch.latitude, stored.latitude ?? null),
    longitude: pick(patch.longitude, stored.longitude ?? null),
    updatedAt,
  };
}

/** The stored dates with the patch's laid over them, null removing one; keys sorted, so equal sets compare and store alike. */
function mergeDates(stored: SubscriberDates, patch: SubscriberDatesPatch): SubscriberDates {
  const merged: Record<string, string> = { ...stored };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return Object.fromEntries(Object.keys(merged).sort().map((name) => [name, merged[name] as string]));
}

/** The fields a new product takes when the patch does not set them (required ones are checked first). */
function newProduct(id: string): Product {
  return { id, name: '', url: '', image: '', category: '', price: 0, salePrice: null, currency: '', prices: {}, markets: [], stock: 0, popularity: 0, updatedAt: '' };
}

/** Already what toISOString() writes: kept as is (re-formatting every row of a feed is measurable). */
const CANONICAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The record's new `updatedAt`: the source's timestamp when it sent one,
 * otherwise "now" — but never earlier than what is stored, so an untimed
 * update cannot make a later-arriving older timed update look fresh.
 */
function nextUpdatedAt(stored: { updatedAt: string } | undefined, patch: { updatedAt?: string }, now: Date): string {
  if (patch.updatedAt) return CANONICAL_ISO.test(patch.updatedAt) ? patch.updatedAt : new Date(patch.updatedAt).toISOString();
  const storedMs = stored ? Date.parse(stored.updatedAt) : Number.NaN;
  return storedMs > now.getTime() ? new Date(storedMs).toISOString() : now.toISOString();
}

/**
 * Older than what is stored: ignore. Equal applies (a redelivered update is
 * harmless). Untimed updates always apply: they are "now" for the sender.
 */
export function isStaleUpdate(stored: { updatedAt: string }, patch: { updatedAt?: string }): boolean {
  return patch.updatedAt !== undefined && Date.parse(patch.updatedAt) < Date.parse(stored.updatedAt);
}

/** How one kind of record takes a patch: the fields a new one needs, its defaults, and the merge. */
export interface PatchRules<T, P> {
  required: readonly (keyof P & string)[];
  /** A new record before the patch is merged into it (required fields are checked first). */
  fresh: (id: string, updatedAt: string) => T;
  merge: (stored: T, patch: P, updatedAt: string) => T;
}

/** One patch against the stored record (undefined: none yet): stale, incomplete, or the record to write. */
export function patchOutcome<T extends { updatedAt: string }, P extends { id: string; updatedAt?: string }>(stored: T | undefined, patch: P, now: Date, rules: PatchRules<T, P>): PatchOutcome<T> {
  const updatedAt = nextUpdatedAt(stored, patch, now);
  if (stored) {
    if (isStaleUpdate(stored, patch)) return { kind: 'stale', storedUpdatedAt: stored.updatedAt };
    return { kind: 'apply', record: rules.merge(stored, patch, updatedAt), created: false };
  }
  const missing = rules.required.filter((field) => patch[field] === undefined);
  if (missing.length) return { kind: 'incomplete', missing };
  return { kind: 'apply', record: rules.merge(rules.fresh(patch.id, updatedAt), patch, updatedAt), created: true };
}

const productRules: PatchRules<Product, ProductPatch> = { required: requiredForNewProduct, fresh: newProduct, merge: mergeProduct };
const subscriberRules: PatchRules<Subscriber, SubscriberPatch> = { required: requiredForNewSubscriber, fresh: newSubscriber, merge: mergeSubscriber };

export function productPatchOutcome(stored: Product | undefined, patch: ProductPatch, now: Date): PatchOutcome<Product> {
  return patchOutcome(stored, patch, now, productRules);
}

export function subscriberPatchOutcome(stored: Subscriber | undefined, patch: SubscriberPatch, now: Date): PatchOutcome<Subscriber> {
  return patchOutcome(stored, patch, now, subscriberRules);
}

/** The ids a batch touches, each once: what an adapter loads (and locks) before planning. */
export function idsOf(patches: readonly { id: string }[]): string[] {
  return [...new Set(patches.map((patch) => patch.id))];
}

/**
 * Runs a batch through the outcome rules against the stored records it
 * touches (loaded first, by `idsOf`, in the transaction that will write the
 * plan), in order, so a record patched twice in one batch sees its first
 * patch. Pure: returns the records to write and the report. A record that
 * ends up exactly as stored (a feed loaded again) is not rewritten.
 */
export function planPatchBatch<T extends { id: string }, P extends { id: string }>(
  patches: readonly P[],
  stored: ReadonlyMap<string, T>,
  outcomeOf: (stored: T | undefined, patch: P) => PatchOutcome<T>,
  policy: IncompleteRecordPolicy,
): { toWrite: T[]; result: PatchBatchResult } {
  const working = new Map<string, T>();
  const result: PatchBatchResult = { written: true, created: 0, updated: 0, unchanged: 0, stale: [], incomplete: [] };
  patches.forEach((patch, index) => {
    const outcome = outcomeOf(working.get(patch.id) ?? stored.get(patch.id), patch);
    switch (outcome.kind) {
      case 'apply':
        working.set(patch.id, outcome.record);
        break;
      case 'stale':
        result.stale.push({ index, id: patch.id, storedUpdatedAt: outcome.storedUpdatedAt });
        break;
      case 'incomplete':
        result.incomplete.push({ index, id: patch.id, missing: outcome.missing });
        break;
    }
  });
  if (result.incomplete.length > 0 && policy === 'abort') return { toWrite: [], result: { ...result, written: false } };
  // Counted per record, not per patch: a record created and patched again in one batch is one creation.
  const toWrite: T[] = [];
  for (const [id, record] of working) {
    const before = stored.get(id);
    if (before === undefined) result.created++;
    else if (sameRecord(before, record)) {
      result.unchanged++;
      continue;
    } else result.updated++;
    toWrite.push(record);
  }
  return { toWrite, result };
}

/** Field-by-field equality of two records of the same type (lists element by element, a price list entry by entry). */
function sameRecord<T extends object>(a: T, b: T): boolean {
  for (const key of Object.keys(a) as (keyof T)[]) {
    if (!sameValue(a[key], b[key])) return false;
  }
  return true;
}

function sameValue(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (Array.isArray(x)) return Array.isArray(y) && x.length === y.length && x.every((item, i) => sameValue(item, y[i]));
  if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object' || Array.isArray(y)) return false;
  const keys = Object.keys(x);
  return (
    keys.length === Object.keys(y).length &&
    keys.every((key) => Object.hasOwn(y, key) && sameValue((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]))
  );
}

/** A profile with neutral defaults, for a subscriber we first hear of through a patch or an event. */
export function newSubscriber(id: string, updatedAt: string): Subscriber {
  return {
    id,
    firstName: '',
    locale: 'en-US',
    timeZone: 'UTC',
    currency: 'EUR',
    country: null,
    city: null,
    loyaltyPoints: 0,
    loyaltyTier: null,
    recentViews: [],
    cart: [],
    purchases: [],
    dates: {},
    latitude: null,
    longitude: null,
    updatedAt,
  };
}
