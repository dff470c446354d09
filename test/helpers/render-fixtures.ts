import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createCanvas, Image } from '@napi-rs/canvas';
import { loadBlocksConfig, type BlockCatalog } from '../../src/blocks/blocks-config';
import type { ShownView } from '../../src/kinds/kind-of-view';
import { fallbackItemOf } from '../../src/blocks/fallback-item';
import { resolveBlock } from '../../src/blocks/resolve-block';
import type { Product } from '../../src/data/model';
import { buildDemoDataset } from '../../src/data/demo-data';
import { seedDemoDataIfEmpty } from '../../src/data/seed';
import { buildOpen } from '../../src/open/open';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import { systemFeedClock } from '../../src/sources/feed-source';
import { closeSharedFeedSources, configureSharedFeedSources } from '../../src/sources/feed-sources';
import type { Storage } from '../../src/storage/storage';

/**
 * Views for the render tests, produced by the REAL resolve path (storage, demo
 * data, blocks config, open, rules) at a fixed moment, so the goldens show what
 * a subscriber would actually get, not a hand-written approximation.
 */

/** Every render fixture resolves at this moment; the demo dataset is built for it too. */
export const RENDER_NOW = new Date('2026-11-22T10:00:00.000Z');
export const RENDER_BASE_URL = 'https://opentime.test';
export const DEMO_BLOCKS_FILE = path.join(__dirname, '..', '..', 'config', 'blocks.yaml');
/** Blocks of kinds the demo config does not show, resolved against the same demo data. */
export const MORE_KINDS_BLOCKS_FILE = path.join(__dirname, '..', 'fixtures', 'callout-blocks.yaml');

export interface RenderFixture {
  storage: Storage;
  blocks: BlockCatalog;
  /**
   * The view a block shows this subscriber (null: a generic open) in this
   * campaign; the block's first fallback item when it resolves to its fallback.
   */
  view(blockId: string, subscriberId: string | null, campaignId?: string, now?: Date): Promise<ShownView>;
  setProduct(id: string, change: Partial<Product>): Promise<void>;
  close(): Promise<void>;
}

export async function createRenderFixture(): Promise<RenderFixture> {
  const storage = openSqliteStorage(':memory:');
  await seedDemoDataIfEmpty(storage, { baseUrl: RENDER_BASE_URL, now: RENDER_NOW });
  const catalogue = storage.catalogue;
  const blocks: BlockCatalog = new Map([...loadBlocksConfig(DEMO_BLOCKS_FILE), ...loadBlocksConfig(MORE_KINDS_BLOCKS_FILE)]);
  // The demo journal feed (a feed block) dated from RENDER_NOW, its pictures under RENDER_BASE_URL.
  configureSharedFeedSources({ allowedHosts: [], publicUrl: RENDER_BASE_URL, clock: { now: () => RENDER_NOW.getTime(), after: systemFeedClock.after } });

  return {
    storage,
    blocks,
    async view(blockId, subscriberId, campaignId = 'flash-sale', now = RENDER_NOW) {
      const block = blocks.get(blockId);
      if (!block) throw new Error(`no block "${blockId}" in ${DEMO_BLOCKS_FILE} or ${MORE_KINDS_BLOCKS_FILE}`);
      const subscriber = subscriberId === null ? null : await catalogue.getSubscriber(subscriberId);
      if (subscriberId !== null && !subscriber) throw new Error(`no demo subscriber "${subscriberId}"`);
      const open = buildOpen({
        now,
        subscriber,
        campaign: await catalogue.getCampaign(campaignId),
        client: 'direct',
        defaultLocale: block.config.defaultLocale,
        defaultTimeZone: block.config.defaultTimeZone,
      });
      const resolution = await resolveBlock(block, open, catalogue);
      if (resolution.outcome === 'view') return resolution.view;
      return fallbackItemOf(block, open.locale);
    },
    async setProduct(id, change) {
      const product = await catalogue.getProduct(id);
      if (!product) throw new Error(`no demo product "${id}"`);
      await storage.ingestion.upsertProducts([{ ...product, ...change }]);
    },
    close: () => {
      closeSharedFeedSources();
      return storage.close();
    },
  };
}

/** A small deterministic hash, to give each product its own look. */
function hashOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/**
 * A stand-in product photo: a soft studio backdrop with a simple object on it,
 * its colour derived from the URL. Deterministic, so goldens are stable.
 * Square, or twice as wide as high when the URL says "landscape" (for the
 * picture-fit goldens: the object stands in the left half).
 */
export function fakeProductImage(url: string, size = 240): Image {
  const hue = hashOf(url) % 360;
  const canvas = createCanvas(url.includes('landscape') ? size * 2 : size, size);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = `hsl(${hue}, 25%, 92%)`;
  ctx.fillRect(0, 0, canvas.width, size);
  ctx.fillStyle = `hsl(${hue}, 18%, 84%)`;
  ctx.fillRect(0, size * 0.78, canvas.width, size * 0.22);
  ctx.fillStyle = `hsl(${hue}, 45%, 42%)`;
  ctx.beginPath();
  ctx.roundRect(size * 0.28, size * 0.2, size * 0.44, size * 0.62, size * 0.06);
  ctx.fill();
  ctx.fillStyle = `hsl(${hue}, 45%, 34%)`;
  ctx.beginPath();
  ctx.arc(size * 0.5, size * 0.2, size * 0.1, Math.PI, 0);
  ctx.fill();
  const image = new Image();
  image.src = canvas.toBuffer('image/png');
  return image;
}

/** Images for every URL given; `missing` URLs map to null (a failed load), so the placeholder shows. */
export function fakeImages(urls: readonly string[], missing: readonly string[] = []): Map<string, Image | null> {
  return new Map(urls.map((url) => [url, missing.includes(url) ? null : fakeProductImage(url)]));
}

/** Demo subscribers by the locale they read in (the countdown and product goldens cover each). */
export const LOCALE_SUBSCRIBERS: Readonly<Record<string, string>> = {
  'en-US': 'sub-emma',
  'en-GB': 'sub-oliver',
  'de-DE': 'sub-lena',
  'fr-FR': 'sub-camille',
  'es-ES': 'sub-lucia',
  'it-IT': 'sub-giulia',
  'nl-NL': 'sub-sanne',
  'sv-SE': 'sub-astrid',
  'ja-JP': 'sub-yui',
  'pt-BR': 'sub-rafael',
  'ar-EG': 'sub-layla',
};

const HERO_IMAGE = `${RENDER_BASE_URL}/demo/products/quilted-jacket-olive.png`;
const BANNER_PICTURE = `${RENDER_BASE_URL}/demo/products/wool-overcoat-camel.png`;
/** fakeProductImage draws a landscape picture for a URL with "landscape" in it. */
const LANDSCAPE_HERO_IMAGE = `${RENDER_BASE_URL}/demo/products/quilted-jacket-olive-landscape.png`;

/** The demo welcome banner's theme (config/blocks.yaml): its brand font from the npm package that ships it. */
const WELCOME_BANNER_THEME: Record<string, unknown> = {
  fonts: ['latin', 'latin-ext'].map((subset) => ({ family: 'DM Serif Display', package: '@fontsource/dm-serif-display', file: `files/dm-serif-display-${subset}-400-normal.woff2` })),
  fontFamily: 'DM Serif Display',
  colors: { accent: '#1f3b2d', buttonText: '#f3efe9' },
};

/** A demo product's change when its sale ends: no sale price in its own currency nor in any of its price list. */
function saleEnded(id: string): Partial<Product> {
  const product = buildDemoDataset({ baseUrl: RENDER_BASE_URL, now: RENDER_NOW }).products.find((candidate) => candidate.id === id);
  if (!product) throw new Error(`no demo product "${id}"`);
  return { salePrice: null, prices: Object.fromEntries(Object.entries(product.prices).map(([currency, entry]) => [currency, { ...entry, salePrice: null }])) };
}

/** One golden image (test/golden/<name>.png): which block, for whom, in which data state. */
export interface GoldenCase {
  name: string;
  blockId: string;
  /** null: a generic open (no subscriber). */
  subscriberId: string | null;
  campaignId?: string;
  /** Product changes applied (through the store) before resolving, undone after. */
  products?: Readonly<Record<string, Partial<Product>>>;
  /** Image URLs that fail to load, so the placeholder is drawn. */
  missingImages?: readonly string[];
  /** The moment of the open (RENDER_NOW by default; the demo data stays built for RENDER_NOW). */
  now?: Date;
  /** The block's `theme:` config (none by default). */
  theme?: Record<string, unknown>;
  /** 'narrow': the phone picture (`?layout=narrow`, render/layout.ts); wide by default. */
  layout?: 'wide' | 'narrow';
}

const sub = (locale: string): string => LOCALE_SUBSCRIBERS[locale] as string;

/** Every kind and state, and each demo locale/currency for the countdown and the product card. */
export const GOLDEN_CASES: readonly GoldenCase[] = [
  ...Object.keys(LOCALE_SUBSCRIBERS).flatMap((locale): GoldenCase[] => [
    { name: `countdown-running-${locale}`, blockId: 'flash-countdown', subscriberId: sub(locale) },
    { name: `product-sale-${locale}`, blockId: 'hero-product', subscriberId: sub(locale) },
  ]),
  ...['en-US', 'de-DE', 'fr-FR', 'ja-JP', 'ar-EG'].map(
    (locale): GoldenCase => ({ name: `countdown-expired-${locale}`, blockId: 'flash-countdown', subscriberId: sub(locale), campaignId: 'spring-sale' }),
  ),
  // 5 h 14 min 33 s before the flash sale ends: the "last day" variant, every figure non-zero.
  {
    name: 'countdown-last-day-en-US',
    blockId: 'flash-countdown',
    subscriberId: sub('en-US'),
    now: new Date(RENDER_NOW.getTime() + 3 * 86_400_000 - (5 * 3600 + 14 * 60 + 33) * 1000),
  },
  // The last-day variant translated: German and Japanese readers read it in their language.
  ...['de-DE', 'ja-JP'].map(
    (locale): GoldenCase => ({
      name: `countdown-last-day-${locale}`,
      blockId: 'flash-countdown',
      subscriberId: sub(locale),
      now: new Date(RENDER_NOW.getTime() + 3 * 86_400_000 - (5 * 3600 + 14 * 60 + 33) * 1000),
    }),
  ),
  // 2 days 2 h 11 min 1 s left: Arabic's dual and singular forms under their figures (أيام, ساعات, دقيقة, ثانية).
  {
    name: 'countdown-two-days-ar-EG',
    blockId: 'flash-countdown',
    subscriberId: sub('ar-EG'),
    now: new Date(RENDER_NOW.getTime() + 3 * 86_400_000 - (2 * 86_400 + 2 * 3600 + 11 * 60 + 1) * 1000),
  },
  {
    name: 'countdown-themed-en-GB',
    blockId: 'flash-countdown',
    subscriberId: sub('en-GB'),
    theme: { colors: { figureBackground: '#7f1d1d', accent: '#7f1d1d', buttonBackground: '#7f1d1d' }, radius: 4, button: { style: 'outline', radius: 20 } },
  },
  {
    name: 'product-themed-en-US',
    blockId: 'hero-product',
    subscriberId: sub('en-US'),
    theme: { colors: { salePrice: '#0f766e', buttonBackground: '#0f766e' }, radius: 0, button: { radius: 22 }, fontSizes: { title: 22 } },
  },
  { name: 'product-in-stock-en-US', blockId: 'hero-product', subscriberId: sub('en-US'), products: { 'quilted-jacket-olive': saleEnded('quilted-jacket-olive') } },
  { name: 'product-in-stock-ar-EG', blockId: 'hero-product', subscriberId: sub('ar-EG'), products: { 'quilted-jacket-olive': saleEnded('quilted-jacket-olive') } },
  { name: 'product-low-stock-en-US', blockId: 'hero-product', subscriberId: sub('en-US'), products: { 'quilted-jacket-olive': { stock: 3 } } },
  { name: 'product-low-stock-fr-FR', blockId: 'hero-product', subscriberId: sub('fr-FR'), products: { 'quilted-jacket-olive': { stock: 2, ...saleEnded('quilted-jacket-olive') } } },
  { name: 'product-sold-out-swap-en-US', blockId: 'parka-product', subscriberId: sub('en-US') },
  { name: 'product-sold-out-swap-de-DE', blockId: 'parka-product', subscriberId: sub('de-DE') },
  { name: 'product-image-failed-en-US', blockId: 'hero-product', subscriberId: sub('en-US'), missingImages: [HERO_IMAGE] },
  // One subscriber per demo market (country, currency, language), as product-sale-* above: every card in their currency.
  ...Object.keys(LOCALE_SUBSCRIBERS).map((locale): GoldenCase => ({ name: `recommendations-${locale}`, blockId: 'picks', subscriberId: sub(locale) })),
  { name: 'recommendations-generic', blockId: 'picks', subscriberId: null },
  { name: 'loyalty-mid-tier-en-US', blockId: 'loyalty-status', subscriberId: sub('en-US') },
  { name: 'loyalty-mid-tier-sv-SE', blockId: 'loyalty-status', subscriberId: sub('sv-SE') },
  { name: 'loyalty-top-tier-de-DE', blockId: 'loyalty-status', subscriberId: sub('de-DE') },
  { name: 'loyalty-top-tier-ar-EG', blockId: 'loyalty-status', subscriberId: sub('ar-EG') },
  { name: 'loyalty-new-member-en-US', blockId: 'loyalty-status', subscriberId: 'sub-noah' },
  ...['en-US', 'de-DE', 'ar-EG'].map((locale): GoldenCase => ({ name: `callout-${locale}`, blockId: 'winter-callout', subscriberId: sub(locale) })),
  { name: 'callout-generic', blockId: 'winter-callout', subscriberId: null },
  // The demo journal feed as cards: dates in each reader's locale and zone, the store event filtered out.
  ...['en-US', 'de-DE', 'ar-EG'].map((locale): GoldenCase => ({ name: `feed-journal-${locale}`, blockId: 'journal', subscriberId: sub(locale) })),
  { name: 'feed-journal-generic', blockId: 'journal', subscriberId: null, missingImages: [`${RENDER_BASE_URL}/demo/products/chelsea-boot-brown.png`] },
  // The welcome banner in its brand font; Arabic and Japanese fall back to the bundled fonts for the glyphs it lacks.
  ...['en-US', 'de-DE', 'ja-JP', 'ar-EG'].map((locale): GoldenCase => ({ name: `banner-welcome-${locale}`, blockId: 'welcome-banner', subscriberId: sub(locale), theme: WELCOME_BANNER_THEME })),
  { name: 'banner-welcome-generic', blockId: 'welcome-banner', subscriberId: null, theme: WELCOME_BANNER_THEME },
  { name: 'banner-picture-en-US', blockId: 'picture-banner', subscriberId: sub('en-US') },
  { name: 'banner-picture-contain-en-US', blockId: 'picture-banner', subscriberId: sub('en-US'), theme: { pictureFit: 'contain', pictureFocus: 'right' } },
  { name: 'banner-picture-failed-en-US', blockId: 'picture-banner', subscriberId: sub('en-US'), missingImages: [BANNER_PICTURE] },
  // A landscape picture in the square picture box: whole inside it (theme.pictureFit: contain), or cropped to its left part.
  {
    name: 'product-contain-landscape-en-US',
    blockId: 'hero-product',
    subscriberId: sub('en-US'),
    products: { 'quilted-jacket-olive': { image: LANDSCAPE_HERO_IMAGE } },
    theme: { pictureFit: 'contain' },
  },
  {
    name: 'product-cover-left-landscape-en-US',
    blockId: 'hero-product',
    subscriberId: sub('en-US'),
    products: { 'quilted-jacket-olive': { image: LANDSCAPE_HERO_IMAGE } },
    theme: { pictureFocus: 'left' },
  },
  // The configured fallback (a generic open: loyalty holds back) and the default one (no deadline).
  { name: 'fallback-configured', blockId: 'loyalty-status', subscriberId: null },
  { name: 'fallback-default', blockId: 'flash-countdown', subscriberId: sub('en-US'), campaignId: 'no-such-campaign' },
  // Phones (`?layout=narrow`, README "Phones"): every kind the shipped emails use, stacked at 360 px, left to right and right to left.
  ...(
    [
      { name: 'countdown-running-en-US', blockId: 'flash-countdown', subscriberId: sub('en-US') },
      { name: 'countdown-running-ar-EG', blockId: 'flash-countdown', subscriberId: sub('ar-EG') },
      { name: 'countdown-expired-de-DE', blockId: 'flash-countdown', subscriberId: sub('de-DE'), campaignId: 'spring-sale' },
      { name: 'product-sale-en-US', blockId: 'hero-product', subscriberId: sub('en-US') },
      { name: 'product-sale-ja-JP', blockId: 'hero-product', subscriberId: sub('ja-JP') },
      { name: 'product-sold-out-swap-de-DE', blockId: 'parka-product', subscriberId: sub('de-DE') },
      { name: 'recommendations-de-DE', blockId: 'picks', subscriberId: sub('de-DE') },
      { name: 'recommendations-ar-EG', blockId: 'picks', subscriberId: sub('ar-EG') },
      { name: 'loyalty-mid-tier-en-US', blockId: 'loyalty-status', subscriberId: sub('en-US') },
      { name: 'loyalty-top-tier-ar-EG', blockId: 'loyalty-status', subscriberId: sub('ar-EG') },
      { name: 'callout-de-DE', blockId: 'winter-callout', subscriberId: sub('de-DE') },
      { name: 'callout-ar-EG', blockId: 'winter-callout', subscriberId: sub('ar-EG') },
      { name: 'fallback-configured', blockId: 'loyalty-status', subscriberId: null },
      { name: 'banner-welcome-de-DE', blockId: 'welcome-banner', subscriberId: sub('de-DE'), theme: WELCOME_BANNER_THEME },
      { name: 'banner-picture-en-US', blockId: 'picture-banner', subscriberId: sub('en-US') },
    ] satisfies GoldenCase[]
  ).map((spec): GoldenCase => ({ ...spec, name: `${spec.name}-narrow`, layout: 'narrow' })),
];

/** Resolves a golden case's view through the real blocks, applying (and then undoing) its product changes. */
export async function resolveCase(fixture: RenderFixture, spec: GoldenCase): Promise<ShownView> {
  const originals: Product[] = [];
  for (const [id, change] of Object.entries(spec.products ?? {})) {
    const product = await fixture.storage.catalogue.getProduct(id);
    if (!product) throw new Error(`no demo product "${id}"`);
    originals.push(product);
    await fixture.storage.ingestion.upsertProducts([{ ...product, ...change }]);
  }
  try {
    return await fixture.view(spec.blockId, spec.subscriberId, spec.campaignId, spec.now);
  } finally {
    if (originals.length) await fixture.storage.ingestion.upsertProducts(originals);
  }
}

export interface PixelComparison {
  /** Pixels that differ beyond the threshold (anti-aliasing ignored). */
  different: number;
  /** A PNG highlighting the differences. */
  diffPng: Buffer;
}

export interface Pixelmatcher {
  compare(expectedPng: Buffer, actualPng: Buffer, threshold: number): Promise<PixelComparison>;
  close(): Promise<void>;
}

/**
 * pixelmatch 7 ships as an ES module only, which jest's CommonJS module system
 * cannot load; a worker thread is plain Node and imports it as it is.
 */
export function startPixelmatch(): Pixelmatcher {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { pathToFileURL } = require('node:url');
    const { PNG } = require(workerData.pngjs);
    const loaded = import(pathToFileURL(workerData.pixelmatch).href);
    parentPort.on('message', async ({ id, expected, actual, threshold }) => {
      try {
        const pixelmatch = (await loaded).default;
        const a = PNG.sync.read(Buffer.from(expected));
        const b = PNG.sync.read(Buffer.from(actual));
        if (a.width !== b.width || a.height !== b.height) throw new Error('size differs: expected ' + a.width + 'x' + a.height + ', got ' + b.width + 'x' + b.height);
        const diff = new PNG({ width: a.width, height: a.height });
        const different = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold });
        parentPort.postMessage({ id, different, diffPng: PNG.sync.write(diff) });
      } catch (error) {
        parentPort.postMessage({ id, error: String(error && error.message || error) });
      }
    });`;
  const worker = new Worker(source, {
    eval: true,
    workerData: { pixelmatch: require.resolve('pixelmatch'), pngjs: require.resolve('pngjs') },
  });
  worker.unref();
  let next = 0;
  const pending = new Map<number, { resolve: (value: PixelComparison) => void; reject: (error: Error) => void }>();
  worker.on('message', (message: { id: number; different?: number; diffPng?: Uint8Array; error?: string }) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (!waiter) return;
    if (message.error !== undefined) waiter.reject(new Error(message.error));
    else waiter.resolve({ different: message.different as number, diffPng: Buffer.from(message.diffPng as Uint8Array) });
  });
  worker.on('error', (error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  });
  return {
    compare(expectedPng, actualPng, threshold) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, expected: expectedPng, actual: actualPng, threshold });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
