import type { Campaign, CurrencyPrice, LoyaltyTierDefinition, PriceList, Product, Subscriber } from './model';

/**
 * The demo shop: a small fashion-and-home store. Fixed tables, no randomness,
 * so every run (and every test, and every screenshot in the README) sees the
 * same catalogue. Only timestamps move, and only relative to the `now` given.
 *
 * The shop prices in EUR; a few imported lines are priced in GBP, USD or JPY so
 * that formatting of each currency (decimals, symbol position, no minor units
 * for yen) is exercised by the demo. Every product also has a price list in
 * each demo subscriber's currency, so each sees one currency (data/market.ts).
 */

export interface DemoDatasetOptions {
  /** Public base URL of this server; product images are served under it. */
  baseUrl: string;
  now: Date;
}

export interface DemoDataset {
  products: Product[];
  subscribers: Subscriber[];
  campaigns: Campaign[];
}

/** Tier thresholds the demo subscribers' points and tiers agree with. */
export const DEMO_LOYALTY_TIERS: readonly LoyaltyTierDefinition[] = [
  { name: 'Bronze', minPoints: 100 },
  { name: 'Silver', minPoints: 1000 },
  { name: 'Gold', minPoints: 2500 },
  { name: 'Platinum', minPoints: 10000 },
];

export const DEMO_CAMPAIGN_IDS = {
  /** Live: ends 3 days after `now`. */
  flashSale: 'flash-sale',
  /** Past: ended 2 days before `now` (exercises the expired state). */
  springSale: 'spring-sale',
  /** No deadline: the loyalty-update template's campaign. */
  loyaltyUpdate: 'loyalty-update',
  /** No deadline: the style-survey template's campaign (a poll and its live results, "Interactive AMP forms"). */
  styleSurvey: 'style-survey',
  /** No deadline: the welcome template's campaign, whose countdown is each subscriber's own 48 hours (README "Blocks"). */
  welcome: 'welcome',
} as const;

/**
 * The source time of the seeded demo campaigns: older than any real write, so
 * a campaign written since seeding (API, CLI, campaigns file) wins every
 * comparison, and the start-up refresh leaves its deadline alone (seed.ts).
 */
export const DEMO_CAMPAIGN_UPDATED_AT = '1970-01-01T00:00:00.000Z';

export const DEMO_SENDERS: readonly string[] = ['news@shop.example'];

/** Products with a known state, for examples and tests to point at. */
export const DEMO_PRODUCT_IDS = {
  /** Plenty of stock, full price. */
  inStock: 'merino-crew-navy',
  /** 2 left, full price. */
  lowStock: 'crossbody-bag-black',
  /** 0 left; also the most popular product in the shop, so best-seller queries must skip it. */
  soldOut: 'down-parka-black',
  /** In stock, 159 → 119 EUR. */
  onSale: 'quilted-jacket-olive',
} as const;

export const DEMO_SUBSCRIBER_IDS = {
  emma: 'sub-emma', // en-US, New York, Gold
  oliver: 'sub-oliver', // en-GB, London, Silver; viewed a sold-out parka
  lena: 'sub-lena', // de-DE, Berlin, Platinum; views include things she bought
  camille: 'sub-camille', // fr-FR, Lyon, Bronze
  lucia: 'sub-lucia', // es-ES, Sevilla, Silver
  giulia: 'sub-giulia', // it-IT, Milano, Gold; viewed sold-out boots
  sanne: 'sub-sanne', // nl-NL, Utrecht, Bronze
  astrid: 'sub-astrid', // sv-SE, Göteborg, Silver, shops in SEK
  yui: 'sub-yui', // ja-JP, Tokyo, Gold, shops in JPY
  rafael: 'sub-rafael', // pt-BR, São Paulo, Bronze, shops in BRL
  layla: 'sub-layla', // ar-EG, Cairo, Platinum; Arabic name (right-to-left)
  noah: 'sub-noah', // en-US, Los Angeles; new: no tier, 0 points, no history, no location
} as const;

/** The same subscribers by the situation they demonstrate. */
export const DEMO_SUBSCRIBER_CASES = {
  viewedSoldOut: DEMO_SUBSCRIBER_IDS.oliver,
  viewedAlreadyPurchased: DEMO_SUBSCRIBER_IDS.lena,
  emptyHistory: DEMO_SUBSCRIBER_IDS.noah,
  noTier: DEMO_SUBSCRIBER_IDS.noah,
  rightToLeft: DEMO_SUBSCRIBER_IDS.layla,
} as const;

export const DEMO_CATEGORIES = ['coats', 'knitwear', 'shoes', 'bags', 'accessories', 'home'] as const;
type DemoCategory = (typeof DEMO_CATEGORIES)[number];

// id (also the URL slug), name, regular price, sale price or null, stock, units sold recently, currency
type ProductSpec = readonly [string, string, number, number | null, number, number, string?];

const CATALOGUE: Readonly<Record<DemoCategory, readonly ProductSpec[]>> = {
  coats: [
    ['wool-overcoat-camel', 'Wool Overcoat, Camel', 329, null, 14, 412],
    ['trench-coat-stone', 'Classic Trench Coat, Stone', 279, 219, 3, 388],
    ['down-parka-black', 'Down Parka, Black', 349, null, 0, 951],
    ['quilted-jacket-olive', 'Quilted Jacket, Olive', 159, 119, 22, 305],
    ['peacoat-navy', 'Double-Breasted Peacoat, Navy', 289, null, 9, 276],
    ['rain-jacket-yellow', 'Packable Rain Jacket, Yellow', 99, 69, 41, 233],
    ['shearling-aviator-brown', 'Shearling Aviator Jacket, Brown', 749, null, 2, 121],
    ['wrap-coat-grey', 'Belted Wrap Coat, Grey Melange', 259, null, 17, 198],
    ['barn-jacket-tan', 'Waxed Barn Jacket, Tan', 245, null, 6, 164, 'GBP'],
    ['puffer-vest-black', 'Lightweight Puffer Vest, Black', 119, 89, 0, 142],
  ],
  knitwear: [
    ['merino-crew-navy', 'Merino Crew-Neck Sweater, Navy', 89, null, 56, 734],
    ['cashmere-turtleneck-oat', 'Cashmere Turtleneck, Oat', 189, 151, 4, 622],
    ['cable-knit-cardigan-cream', 'Cable-Knit Cardigan, Cream', 129, null, 18, 411],
    ['aran-sweater-ecru', 'Aran Fisherman Sweater, Ecru', 135, null, 11, 287, 'GBP'],
    ['mohair-vneck-rose', 'Mohair V-Neck, Dusty Rose', 149, 99, 0, 356],
    ['lambswool-cardigan-charcoal', 'Lambswool Zip Cardigan, Charcoal', 119, null, 25, 204],
    ['breton-knit-ecru-navy', 'Cotton Breton Knit, Ecru/Navy', 79, 59, 37, 498],
    ['alpaca-sweater-rust', 'Alpaca Blend Sweater, Rust', 139, null, 1, 233],
    ['ribbed-knit-dress-black', 'Ribbed Knit Dress, Black', 119, null, 13, 318],
    ['cashmere-hoodie-grey', 'Cashmere Hoodie, Heather Grey', 229, null, 7, 167],
  ],
  shoes: [
    ['leather-sneaker-white', 'Leather Sneakers, White', 129, null, 64, 880],
    ['chelsea-boot-brown', 'Suede Chelsea Boots, Brown', 199, 159, 5, 540],
    ['penny-loafer-black', 'Penny Loafers, Black', 169, null, 21, 377],
    ['running-shoe-grey', 'Everyday Running Shoes, Grey', 140, null, 33, 455, 'USD'],
    ['ankle-boot-black', 'Block-Heel Ankle Boots, Black', 189, null, 0, 610],
    ['espadrille-navy', 'Canvas Espadrilles, Navy', 49, 35, 48, 266],
    ['hiking-boot-tan', 'Waterproof Hiking Boots, Tan', 219, null, 8, 199],
    ['ballet-flat-red', 'Leather Ballet Flats, Red', 119, 89, 3, 241],
    ['wool-slipper-grey', 'Felted Wool Slippers, Grey', 59, null, 27, 318],
    ['derby-shoe-oxblood', 'Derby Shoes, Oxblood', 175, null, 10, 143, 'GBP'],
  ],
  bags: [
    ['leather-tote-cognac', 'Leather Tote, Cognac', 249, null, 12, 590],
    ['canvas-weekender-olive', 'Canvas Weekender Bag, Olive', 179, 129, 19, 347],
    ['crossbody-bag-black', 'Mini Crossbody Bag, Black', 139, null, 2, 512],
    ['rolltop-backpack-navy', 'Roll-Top Backpack, Navy', 98, null, 44, 403, 'USD'],
    ['suede-bucket-bag-tan', 'Suede Bucket Bag, Tan', 199, 149, 0, 281],
    ['felt-laptop-sleeve-grey', 'Felt Laptop Sleeve 14", Grey', 45, null, 71, 222],
    ['nylon-belt-bag-black', 'Nylon Belt Bag, Black', 59, 39, 36, 318],
    ['leather-briefcase-brown', 'Leather Briefcase, Dark Brown', 329, null, 4, 96],
    ['woven-market-basket', 'Woven Market Basket, Natural', 69, null, 23, 187],
    ['furoshiki-wrap-indigo', 'Furoshiki Wrapping Cloth, Indigo', 4800, null, 30, 131, 'JPY'],
  ],
  accessories: [
    ['lambswool-scarf-check', 'Lambswool Scarf, Check', 59, null, 88, 702],
    ['leather-gloves-black', 'Leather Gloves, Black', 79, 59, 15, 455],
    ['ribbed-beanie-forest', 'Ribbed Beanie, Forest Green', 29, null, 120, 633],
    ['round-sunglasses-tortoise', 'Round Sunglasses, Tortoiseshell', 145, null, 9, 298, 'USD'],
    ['leather-belt-brown', 'Leather Belt, Brown', 55, null, 0, 377],
    ['silk-scarf-botanical', 'Silk Twill Scarf, Botanical Print', 95, 65, 5, 254],
    ['mesh-watch-steel', 'Minimalist Watch, Steel Mesh', 189, null, 11, 213],
    ['card-holder-tan', 'Leather Card Holder, Tan', 39, null, 64, 566],
    ['compact-umbrella-navy', 'Compact Umbrella, Navy', 35, 25, 52, 189],
    ['wool-socks-3-pack', 'Wool Socks, 3-Pack', 25, null, 1, 478],
  ],
  home: [
    ['linen-duvet-set-sand', 'Linen Duvet Cover Set, Sand', 189, 149, 16, 421],
    ['stoneware-mug-set', 'Stoneware Mug Set of 4', 48, null, 40, 365],
    ['merino-throw-grey', 'Merino Wool Throw, Grey', 129, null, 3, 298],
    ['scented-candle-fig', 'Scented Candle, Fig & Cedar', 32, null, 95, 644],
    ['matcha-bowl-celadon', 'Hand-Thrown Matcha Bowl, Celadon', 6600, null, 6, 118, 'JPY'],
    ['organic-towel-set-white', 'Organic Cotton Towel Set, White', 59, 45, 0, 336],
    ['linen-napkins-set', 'Linen Napkins, Set of 4', 36, null, 28, 174],
    ['brass-table-lamp', 'Brass Table Lamp', 219, null, 2, 156],
    ['wool-rug-natural', 'Hand-Woven Wool Rug 160×230, Natural', 449, 359, 7, 88],
    ['glass-carafe', 'Glass Carafe with Tumbler', 29, null, 58, 243],
    ['tenugui-towel-indigo', 'Cotton Tenugui Towel, Indigo', 1320, null, 0, 102, 'JPY'],
    ['oak-serving-board', 'Oak Serving Board', 64, null, 19, 137, 'USD'],
  ],
};

/**
 * The demo shop's price lists: every product has a price in each currency
 * its demo subscribers shop in, set the way a shop sets local prices:
 * converted from its own price at a fixed rate, then rounded to a step usual
 * for that currency (whole pounds and dollars, tens of kronor, hundreds of
 * yen). Fixed, so the demo and its goldens never move with exchange rates.
 */
const DEMO_CURRENCIES: Readonly<Record<string, { perEuro: number; step: number }>> = {
  EUR: { perEuro: 1, step: 1 },
  GBP: { perEuro: 0.86, step: 1 },
  USD: { perEuro: 1.1, step: 1 },
  SEK: { perEuro: 11.5, step: 10 },
  JPY: { perEuro: 165, step: 100 },
  BRL: { perEuro: 6, step: 5 },
  EGP: { perEuro: 53, step: 50 },
};

function demoPriceList(price: number, salePrice: number | null, ownCurrency: string): PriceList {
  const own = DEMO_CURRENCIES[ownCurrency];
  if (!own) throw new Error(`demo data: no rate for ${ownCurrency}`);
  const prices: Record<string, CurrencyPrice> = {};
  for (const [code, { perEuro, step }] of Object.entries(DEMO_CURRENCIES).sort(([a], [b]) => a.localeCompare(b))) {
    if (code === ownCurrency) continue;
    const local = (amount: number): number => Math.max(step, Math.round((amount / own.perEuro) * perEuro / step) * step);
    prices[code] = { price: local(price), salePrice: salePrice === null ? null : local(salePrice) };
  }
  return prices;
}

/**
 * Products not sold everywhere (ISO 3166-1 countries; a product not listed
 * here sells in every market). The leather tote is not sold in Japan, so
 * Yui's picks (she looked at bags) show the market filter at work.
 */
const DEMO_PRODUCT_MARKETS: Readonly<Record<string, readonly string[]>> = {
  'leather-tote-cognac': ['BR', 'DE', 'EG', 'ES', 'FR', 'GB', 'IT', 'NL', 'SE', 'US'],
};

// id, first name, locale, time zone, currency, country, city, points, tier, views, cart, purchases
type SubscriberSpec = readonly [
  string,
  string,
  string,
  string,
  string,
  string | null,
  string | null,
  number,
  string | null,
  readonly string[],
  readonly string[],
  readonly string[],
];

const I = DEMO_SUBSCRIBER_IDS;

/** Where each demo profile places its subscriber (the city's centre): the weather of an open through a mail proxy is read there. */
const DEMO_COORDINATES: Readonly<Record<string, readonly [number, number]>> = {
  [I.emma]: [40.7128, -74.006],
  [I.oliver]: [51.5074, -0.1278],
  [I.lena]: [52.52, 13.405],
  [I.camille]: [45.764, 4.8357],
  [I.lucia]: [37.3891, -5.9845],
  [I.giulia]: [45.4642, 9.19],
  [I.sanne]: [52.0907, 5.1214],
  [I.astrid]: [57.7089, 11.9746],
  [I.yui]: [35.6762, 139.6503],
  [I.rafael]: [-23.5505, -46.6333],
  [I.layla]: [30.0444, 31.2357],
};

const SUBSCRIBERS: readonly SubscriberSpec[] = [
  [I.emma, 'Emma', 'en-US', 'America/New_York', 'USD', 'US', 'New York', 2750, 'Gold',
    ['leather-sneaker-white', 'running-shoe-grey', 'rolltop-backpack-navy', 'round-sunglasses-tortoise'],
    ['running-shoe-grey'],
    ['card-holder-tan']],
  [I.oliver, 'Oliver', 'en-GB', 'Europe/London', 'GBP', 'GB', 'London', 1340, 'Silver',
    ['down-parka-black', 'barn-jacket-tan', 'lambswool-scarf-check'],
    [],
    ['derby-shoe-oxblood']],
  [I.lena, 'Lena', 'de-DE', 'Europe/Berlin', 'EUR', 'DE', 'Berlin', 12400, 'Platinum',
    ['cashmere-turtleneck-oat', 'merino-crew-navy', 'chelsea-boot-brown', 'cable-knit-cardigan-cream'],
    ['cashmere-turtleneck-oat'],
    ['merino-crew-navy', 'chelsea-boot-brown', 'leather-tote-cognac']],
  [I.camille, 'Camille', 'fr-FR', 'Europe/Paris', 'EUR', 'FR', 'Lyon', 320, 'Bronze',
    ['silk-scarf-botanical', 'ballet-flat-red', 'crossbody-bag-black'],
    ['silk-scarf-botanical'],
    []],
  [I.lucia, 'Lucía', 'es-ES', 'Europe/Madrid', 'EUR', 'ES', 'Sevilla', 1850, 'Silver',
    ['espadrille-navy', 'canvas-weekender-olive', 'linen-duvet-set-sand'],
    [],
    ['rain-jacket-yellow']],
  [I.giulia, 'Giulia', 'it-IT', 'Europe/Rome', 'EUR', 'IT', 'Milano', 4100, 'Gold',
    ['ankle-boot-black', 'penny-loafer-black', 'leather-gloves-black'],
    [],
    ['leather-tote-cognac']],
  [I.sanne, 'Sanne', 'nl-NL', 'Europe/Amsterdam', 'EUR', 'NL', 'Utrecht', 150, 'Bronze',
    ['rain-jacket-yellow', 'compact-umbrella-navy', 'rolltop-backpack-navy'],
    ['compact-umbrella-navy'],
    []],
  [I.astrid, 'Astrid', 'sv-SE', 'Europe/Stockholm', 'SEK', 'SE', 'Göteborg', 2200, 'Silver',
    ['merino-throw-grey', 'scented-candle-fig', 'stoneware-mug-set', 'linen-napkins-set'],
    [],
    ['lambswool-scarf-check']],
  [I.yui, 'Yui', 'ja-JP', 'Asia/Tokyo', 'JPY', 'JP', 'Tokyo', 6800, 'Gold',
    ['matcha-bowl-celadon', 'furoshiki-wrap-indigo', 'tenugui-towel-indigo'],
    ['furoshiki-wrap-indigo'],
    ['stoneware-mug-set']],
  [I.rafael, 'Rafael', 'pt-BR', 'America/Sao_Paulo', 'BRL', 'BR', 'São Paulo', 640, 'Bronze',
    ['leather-sneaker-white', 'round-sunglasses-tortoise', 'nylon-belt-bag-black'],
    [],
    []],
  [I.layla, 'ليلى', 'ar-EG', 'Africa/Cairo', 'EGP', 'EG', 'القاهرة', 15200, 'Platinum',
    ['linen-duvet-set-sand', 'brass-table-lamp', 'wool-rug-natural'],
    ['brass-table-lamp'],
    ['scented-candle-fig']],
  [I.noah, 'Noah', 'en-US', 'America/Los_Angeles', 'USD', null, null, 0, null, [], [], []],
];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function roundToHour(ms: number): Date {
  return new Date(Math.round(ms / HOUR_MS) * HOUR_MS);
}

/**
 * The demo campaigns, one for each shipped template and one past: the flash
 * sale is live (ends `now + 3 days`, rounded to the nearest hour so the
 * countdown reads in whole hours), the spring sale ended `now - 2 days` (the
 * expired state, sent with the flash-sale template), the loyalty update has
 * no deadline.
 */
export function buildDemoCampaigns(now: Date): Campaign[] {
  const t = now.getTime();
  return [
    {
      id: DEMO_CAMPAIGN_IDS.flashSale,
      name: 'Flash Sale',
      endsAt: roundToHour(t + 3 * DAY_MS).toISOString(),
      allowedSenders: [...DEMO_SENDERS],
      markets: ['US', 'GB', 'DE', 'FR', 'ES', 'IT'],
      templates: ['flash-sale'],
      updatedAt: DEMO_CAMPAIGN_UPDATED_AT,
    },
    {
      id: DEMO_CAMPAIGN_IDS.springSale,
      name: 'Spring Sale',
      endsAt: roundToHour(t - 2 * DAY_MS).toISOString(),
      allowedSenders: [...DEMO_SENDERS],
      markets: ['DE', 'FR', 'ES', 'IT'],
      templates: ['flash-sale'],
      updatedAt: DEMO_CAMPAIGN_UPDATED_AT,
    },
    {
      id: DEMO_CAMPAIGN_IDS.loyaltyUpdate,
      name: 'Loyalty Update',
      endsAt: null,
      allowedSenders: [...DEMO_SENDERS],
      markets: [],
      templates: ['loyalty-update'],
      updatedAt: DEMO_CAMPAIGN_UPDATED_AT,
    },
    {
      id: DEMO_CAMPAIGN_IDS.styleSurvey,
      name: 'Style Survey',
      endsAt: null,
      allowedSenders: [...DEMO_SENDERS],
      markets: [],
      templates: ['style-survey'],
      updatedAt: DEMO_CAMPAIGN_UPDATED_AT,
    },
    {
      id: DEMO_CAMPAIGN_IDS.welcome,
      name: 'Welcome Offer',
      endsAt: null,
      allowedSenders: [...DEMO_SENDERS],
      markets: [],
      templates: ['welcome'],
      updatedAt: DEMO_CAMPAIGN_UPDATED_AT,
    },
  ];
}

/** Where this server serves a demo product's picture (http/demo-assets.ts), under its public URL. */
export function demoPictureUrl(baseUrl: string, productId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/demo/products/${productId}.png`;
}

export function buildDemoDataset(options: DemoDatasetOptions): DemoDataset {
  const base = options.baseUrl.replace(/\/+$/, '');
  const t = options.now.getTime();
  if (!Number.isFinite(t)) throw new Error('buildDemoDataset: `now` is an invalid date');

  const products: Product[] = [];
  for (const category of DEMO_CATEGORIES) {
    for (const [id, name, price, salePrice, stock, popularity, currency] of CATALOGUE[category]) {
      products.push({
        id,
        name,
        url: `https://shop.example/products/${id}`,
        image: demoPictureUrl(base, id),
        category,
        price,
        salePrice,
        currency: currency ?? 'EUR',
        prices: demoPriceList(price, salePrice, currency ?? 'EUR'),
        markets: [...(DEMO_PRODUCT_MARKETS[id] ?? [])],
        stock,
        popularity,
        // Staggered so "updated N minutes ago" differs per product, yet fixed for a given `now`.
        updatedAt: new Date(t - (products.length + 1) * 47 * 60_000).toISOString(),
      });
    }
  }

  const subscribers: Subscriber[] = SUBSCRIBERS.map(
    ([id, firstName, locale, timeZone, currency, country, city, points, tier, views, cart, purchases], i) => ({
      id,
      firstName,
      locale,
      timeZone,
      currency,
      country,
      city,
      loyaltyPoints: points,
      loyaltyTier: tier,
      recentViews: [...views],
      cart: [...cart],
      purchases: [...purchases],
      // The coupon-countdown block counts down to it (README "Blocks", evergreen deadlines): a minute before the hour, 5 days on.
      dates: { couponExpiresAt: new Date(roundToHour(t + 5 * DAY_MS).getTime() - 60_000).toISOString() },
      latitude: DEMO_COORDINATES[id]?.[0] ?? null,
      longitude: DEMO_COORDINATES[id]?.[1] ?? null,
      updatedAt: new Date(t - (i + 1) * 5 * HOUR_MS).toISOString(),
    }),
  );

  return { products, subscribers, campaigns: buildDemoCampaigns(options.now) };
}
