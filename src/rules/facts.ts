import type { Product } from '../data/model';
import { localClock, type LocalClock } from '../format/dates';
import type { OpenLocation } from '../open/location';
import type { Open } from '../open/open';
import type { WeatherReport } from '../sources/weather-source';

/**
 * The data a rule sees, in one documented shape (the README lists it). Built
 * once per open; `product` is swapped in per candidate.
 */
export interface RuleFacts {
  subscriber: {
    id: string;
    locale: string;
    timeZone: string;
    country: string | null;
    city: string | null;
    loyaltyPoints: number;
    loyaltyTier: string | null;
    recentViews: string[];
    cart: string[];
    purchases: string[];
  } | null;
  campaign: { id: string; name: string; endsAt: string | null; secondsLeft: number | null } | null;
  now: { iso: string; epochMs: number; hour: number; weekday: number; date: string };
  open: { client: string; personalised: boolean; location: LocationFacts };
  product?: ProductFacts;
  weather: WeatherFacts;
  /** One item of a feed block's feed, swapped in per item (kinds/feed: `filter`). */
  item?: FeedItemFacts;
}

/** A feed item as rules see it (README "Blocks", feed). */
export interface FeedItemFacts {
  title: string;
  url: string;
  /** The item's categories (RSS category, Atom term, JSON Feed tags). */
  categories: string[];
  author: string | null;
  /** Whole hours since it was published; null when the feed does not date it. */
  ageHours: number | null;
  hasImage: boolean;
  /** Its place in the feed, 0 first. */
  position: number;
}

/** Where the open was read (open/location.ts): `source` says whether from its address, the profile, or nothing. */
export type LocationFacts = OpenLocation;

/**
 * The weather at the open's location (sources/weather-source.ts). When there
 * is none (no provider configured, no coordinates, the provider failing with
 * nothing recent) `available` is false and every other field null; JSON
 * Logic compares null as 0 (`null < 8` is true), so a rule tests
 * `weather.available` first.
 */
export interface WeatherFacts {
  available: boolean;
  temperatureC: number | null;
  condition: string | null;
  precipitating: boolean | null;
  /** live, cached or stale (the provider failed: the last good answer). */
  freshness: string | null;
}

export interface ProductFacts {
  id: string;
  name: string;
  category: string;
  price: number;
  salePrice: number | null;
  currency: string;
  stock: number;
  onSale: boolean;
  /** 0–100, whole percent off the regular price. */
  discountPercent: number;
  popularity: number;
}

/**
 * Every fact a rule may read, by namespace: what `compileRule` checks each
 * `{"var": …}` against at start-up, so a misspelt fact
 * ("campaign.secondLeft") stops start-up instead of reading as null forever.
 * Typed against RuleFacts, so a fact added above and not here (or listed here
 * and not there) does not compile. `true`: a value; `'list'`: a list, which a
 * rule may index ("subscriber.cart.0") or measure ("subscriber.cart.length").
 */
type FactFields<Namespace> = { readonly [Field in keyof Namespace]-?: FactField<NonNullable<Namespace[Field]>> };
/** A value, a list, or (open.location) an object whose fields a rule names in turn ("open.location.source"). */
type FactField<Value> = Value extends readonly unknown[] ? 'list' : Value extends object ? FactFields<Value> : true;

export const FACT_FIELDS: { readonly [Namespace in keyof RuleFacts]-?: FactFields<NonNullable<RuleFacts[Namespace]>> } = {
  subscriber: {
    id: true,
    locale: true,
    timeZone: true,
    country: true,
    city: true,
    loyaltyPoints: true,
    loyaltyTier: true,
    recentViews: 'list',
    cart: 'list',
    purchases: 'list',
  },
  campaign: { id: true, name: true, endsAt: true, secondsLeft: true },
  now: { iso: true, epochMs: true, hour: true, weekday: true, date: true },
  open: {
    client: true,
    personalised: true,
    location: { source: true, country: true, region: true, city: true, latitude: true, longitude: true, timeZone: true },
  },
  product: {
    id: true,
    name: true,
    category: true,
    price: true,
    salePrice: true,
    currency: true,
    stock: true,
    onSale: true,
    discountPercent: true,
    popularity: true,
  },
  weather: { available: true, temperatureC: true, condition: true, precipitating: true, freshness: true },
  item: { title: true, url: true, categories: 'list', author: true, ageHours: true, hasImage: true, position: true },
};

const NO_WEATHER: WeatherFacts = Object.freeze({ available: false, temperatureC: null, condition: null, precipitating: null, freshness: null });

/** Each open's report is a new object (its freshness is the open's), so its facts are built per open: five fields. */
function weatherFacts(report: WeatherReport | null): WeatherFacts {
  if (!report) return NO_WEATHER;
  return { available: true, temperatureC: report.temperatureC, condition: report.condition, precipitating: report.precipitating, freshness: report.freshness };
}

/**
 * Products come from the store's cache as the same objects, open after open,
 * and are never changed in place (an update is a new object), so their facts
 * are built once per object: a recommendations open asks for them for every
 * candidate and again for every card.
 */
const factsOfProduct = new WeakMap<Product, ProductFacts>();

export function productFacts(product: Product): ProductFacts {
  let facts = factsOfProduct.get(product);
  if (facts === undefined) {
    facts = Object.freeze(buildProductFacts(product));
    factsOfProduct.set(product, facts);
  }
  return facts;
}

function buildProductFacts(product: Product): ProductFacts {
  const onSale = product.salePrice !== null && product.salePrice < product.price;
  return {
    id: product.id,
    name: product.name,
    category: product.category,
    price: product.price,
    salePrice: product.salePrice,
    currency: product.currency,
    stock: product.stock,
    onSale,
    discountPercent: onSale && product.price > 0 ? Math.round((1 - (product.salePrice as number) / product.price) * 100) : 0,
    popularity: product.popularity,
  };
}

/**
 * `now` reads the subscriber's wall clock lazily: most blocks have no
 * time-of-day rule, and formatToParts was the largest cost of building facts.
 * A class, so the getters live once on its prototype instead of as fresh
 * closures on every open (JSON Logic's `var` reads through them all the same).
 */
class NowFacts implements Readonly<RuleFacts['now']> {
  private clock: LocalClock | undefined;

  constructor(
    private readonly at: Date,
    private readonly timeZone: string,
  ) {}

  get iso(): string {
    return this.at.toISOString();
  }

  get epochMs(): number {
    return this.at.getTime();
  }

  get hour(): number {
    return this.read().hour;
  }

  get weekday(): number {
    return this.read().weekday;
  }

  get date(): string {
    return this.read().date;
  }

  /** What a rule could read, for anything that serialises facts (getters are not own properties). */
  toJSON(): RuleFacts['now'] {
    return { iso: this.iso, epochMs: this.epochMs, hour: this.hour, weekday: this.weekday, date: this.date };
  }

  private read(): LocalClock {
    return (this.clock ??= localClock(this.at, this.timeZone));
  }
}

export function buildFacts(open: Open): RuleFacts {
  const { subscriber, campaign, now } = open;
  return {
    subscriber: subscriber && {
      id: subscriber.id,
      locale: open.locale,
      timeZone: open.timeZone,
      country: subscriber.country,
      city: subscriber.city,
      loyaltyPoints: subscriber.loyaltyPoints,
      loyaltyTier: subscriber.loyaltyTier,
      recentViews: subscriber.recentViews,
      cart: subscriber.cart,
      purchases: subscriber.purchases,
    },
    campaign: campaign && {
      id: campaign.id,
      name: campaign.name,
      endsAt: campaign.endsAt,
      secondsLeft: campaign.endsAt === null ? null : Math.floor((Date.parse(campaign.endsAt) - now.getTime()) / 1000),
    },
    now: new NowFacts(now, open.timeZone),
    open: { client: open.client, personalised: subscriber !== null, location: open.location },
    weather: weatherFacts(open.weather),
  };
}

/**
 * The facts with one product added. Written out field by field: on Node 20 an
 * object spread followed by more properties (`{ ...facts, product }`) takes
 * ~0.7 µs, 30 times a literal, and this runs for every candidate product.
 */
export function withProduct(facts: RuleFacts, product: Product): RuleFacts {
  return { subscriber: facts.subscriber, campaign: facts.campaign, now: facts.now, open: facts.open, product: productFacts(product), weather: facts.weather };
}

/** The facts with one feed item added (a feed block's `filter`, per item; at most 50 a feed). */
export function withFeedItem(facts: RuleFacts, item: FeedItemFacts): RuleFacts {
  return { ...facts, item };
}
