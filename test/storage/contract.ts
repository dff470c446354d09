import type { BlockView } from '../../src/kinds/registry';
import type { Campaign, Product, Subscriber } from '../../src/data/model';
import type { SubscriberEvent } from '../../src/data/subscriber-events';
import type { FrozenView } from '../../src/storage/ports/block-locks';
import type { Impression } from '../../src/storage/ports/impressions';
import type { PollAnswer } from '../../src/storage/ports/poll-answers';
import type { OutboxMessage } from '../../src/storage/ports/webhook-outbox';
import type { TriggerJob, TriggerJobOp } from '../../src/storage/ports/trigger-jobs';
import type { CampaignOrderRow, OrderRecord } from '../../src/storage/ports/orders';
import type { ClickRecord, RenderRecord } from '../../src/storage/ports/render-log';
import type { Storage } from '../../src/storage/storage';

/**
 * ONE suite for every database: the promises each storage port makes
 * (src/storage/ports/*.ts), checked through the ports alone. A database
 * proves itself by passing it: its test file calls `describeStorageContract`
 * with a factory (test/storage/sqlite.contract.test.ts). Checks only one
 * database can make (query plans, file modes) are that database's own extra
 * tests, beside it.
 */

/** One fresh, empty database, and what a test needs around it. */
export interface StorageUnderTest {
  storage: Storage;
  /** Another Storage on the same database, as another process (or machine) would open it. */
  openAnother(): Promise<Storage>;
  /** Closes every Storage opened here and removes the database. */
  dispose(): Promise<void>;
}

export type StorageFactory = () => Promise<StorageUnderTest>;

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const at = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();
const DAY = 86_400_000;

export function product(id: string, over: Partial<Product> = {}): Product {
  return {
    id,
    name: `Product ${id}`,
    url: `https://shop.example/products/${id}`,
    image: `https://opentime.example/demo/products/${id}.png`,
    category: 'coats',
    price: 100,
    salePrice: null,
    currency: 'EUR',
    prices: {},
    markets: [],
    stock: 10,
    popularity: 1,
    updatedAt: '2025-03-01T00:00:00.000Z',
    ...over,
  };
}

export function subscriber(id: string, over: Partial<Subscriber> = {}): Subscriber {
  return {
    id,
    firstName: 'Noah',
    locale: 'en-US',
    timeZone: 'America/Los_Angeles',
    currency: 'USD',
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
    updatedAt: '2025-03-10T11:00:00.000Z',
    ...over,
  };
}

function lock(subscriberId: string, name: string, over: Partial<FrozenView> = {}): FrozenView {
  return {
    campaignId: 'c',
    blockId: 'b',
    subscriberId,
    view: { kind: 'loyalty', name } as unknown as BlockView,
    variant: null,
    messageVariant: null,
    lockedAt: T0,
    ...over,
  };
}

function render(subscriberId: string, over: Partial<RenderRecord> = {}): RenderRecord {
  return {
    renderedAt: T0,
    campaignId: 'flash-sale',
    blockId: 'picks',
    subscriberId,
    surface: 'image',
    client: 'direct',
    prefetch: false,
    variant: null,
    outcome: 'view',
    locked: false,
    itemIds: ['p1'],
    ...over,
  };
}

function click(subscriberId: string, over: Partial<ClickRecord> = {}): ClickRecord {
  return { clickedAt: T0 + 60_000, campaignId: 'flash-sale', blockId: 'picks', subscriberId, slot: 0, variant: null, url: 'https://shop.example/p', ...over };
}

const impression = (subscriberId: string, renderedAtMs: number, urls: string[], over: Partial<Impression> = {}): Impression => ({
  subscriberId,
  campaignId: 'c',
  blockId: 'b',
  urls,
  renderedAt: at(renderedAtMs),
  ...over,
});

const points = (id: string, delta: number, subscriberId = 's1'): SubscriberEvent => ({ id, type: 'points_changed', subscriberId, occurredAt: at(0), delta });
const cart = (id: string, type: 'added_to_cart' | 'removed_from_cart', productId: string, occurredAtMs: number, subscriberId = 's1'): SubscriberEvent => ({
  id,
  type,
  subscriberId,
  productId,
  occurredAt: at(occurredAtMs),
});

const ids = (products: readonly Product[]): string[] => products.map((p) => p.id);
const now = new Date(T0);
const abort = { now, onIncomplete: 'abort' as const };
const skip = { now, onIncomplete: 'skip' as const };

export function describeStorageContract(name: string, factory: StorageFactory): void {
  describe(`storage contract: ${name}`, () => {
    let underTest: StorageUnderTest | undefined;
    let storage: Storage;
    /** The database under test; only read inside tests, which run only when the factory succeeded. */
    const db = { openAnother: (): Promise<Storage> => (underTest as StorageUnderTest).openAnother() };

    beforeEach(async () => {
      underTest = await factory();
      storage = underTest.storage;
    });

    afterEach(async () => {
      // A factory that failed has already said why; there is nothing to dispose of.
      await underTest?.dispose();
      underTest = undefined;
    });

    describe('catalogue reader', () => {
      it('round-trips every product field, including a null sale price, and updates on conflict', async () => {
        const onSale = product('p-sale', {
          name: 'Wool “Overcoat”, Camel — 漢字',
          category: 'knitwear',
          price: 79.9,
          salePrice: 59.95,
          currency: 'GBP',
          prices: { EUR: { price: 92.5, salePrice: 69 }, JPY: { price: 15800, salePrice: null } },
          markets: ['DE', 'GB'],
          stock: 3,
          popularity: 42,
          updatedAt: '2025-03-09T08:00:00.000Z',
        });
        const fullPrice = product('p-full', { salePrice: null, currency: 'JPY', price: 4800, stock: 0 });
        await storage.ingestion.upsertProducts([onSale, fullPrice]);

        expect(await storage.catalogue.getProduct('p-sale')).toEqual(onSale);
        expect(await storage.catalogue.getProduct('p-full')).toEqual(fullPrice);
        expect(await storage.catalogue.getProduct('nope')).toBeUndefined();

        const changed = { ...onSale, salePrice: null, stock: 0, name: 'Renamed', prices: { USD: { price: 99, salePrice: null } }, markets: [] };
        await storage.ingestion.upsertProducts([changed]);
        expect(await storage.catalogue.getProduct('p-sale')).toEqual(changed);
        expect(await storage.ingestion.countProducts()).toBe(2);
      });

      it('round-trips every subscriber field, including nulls and arrays', async () => {
        const full = subscriber('s1', {
          firstName: 'ليلى',
          locale: 'ar-EG',
          timeZone: 'Africa/Cairo',
          currency: 'EGP',
          country: 'EG',
          city: 'القاهرة',
          loyaltyPoints: 15200,
          loyaltyTier: 'Platinum',
          recentViews: ['a', 'b', 'c'],
          cart: ['b'],
          purchases: ['x', 'y'],
          dates: { couponExpiresAt: '2025-03-24T23:59:00+02:00', signedUpAt: '2024-01-01T00:00:00Z' },
          updatedAt: '2025-03-10T10:00:00.000Z',
        });
        const sparse = subscriber('s2');
        await storage.ingestion.upsertSubscribers([full, sparse]);
        expect(await storage.catalogue.getSubscriber('s1')).toEqual(full);
        expect(await storage.catalogue.getSubscriber('s2')).toEqual(sparse);
        expect(await storage.catalogue.getSubscriber('nope')).toBeUndefined();

        const updated = { ...full, loyaltyTier: null, city: null, cart: [], recentViews: ['z'] };
        await storage.ingestion.upsertSubscribers([updated]);
        expect(await storage.catalogue.getSubscriber('s1')).toEqual(updated);
      });

      it('round-trips campaigns, including a null deadline, and replaces them on upsert', async () => {
        const withDeadline: Campaign = {
          id: 'c1',
          name: 'Flash Sale',
          endsAt: '2025-03-13T14:00:00.000Z',
          allowedSenders: ['news@shop.example', 'shop.example'],
          markets: ['DE', 'AT'],
          templates: ['flash-sale'],
          updatedAt: '2025-03-01T00:00:00.000Z',
        };
        const open: Campaign = { id: 'c2', name: 'Evergreen', endsAt: null, allowedSenders: [], markets: [], templates: [], updatedAt: '2025-03-02T00:00:00.000Z' };
        await storage.campaigns.upsertCampaigns([withDeadline, open]);
        expect(await storage.catalogue.getCampaign('c1')).toEqual(withDeadline);
        expect(await storage.catalogue.getCampaign('c2')).toEqual(open);
        expect(await storage.catalogue.getCampaign('nope')).toBeUndefined();
        await storage.campaigns.upsertCampaigns([{ ...withDeadline, endsAt: null, allowedSenders: ['shop.example'] }]);
        expect(await storage.catalogue.getCampaign('c1')).toEqual({ ...withDeadline, endsAt: null, allowedSenders: ['shop.example'] });
        expect(await storage.campaigns.listCampaigns()).toEqual([{ ...withDeadline, endsAt: null, allowedSenders: ['shop.example'] }, open]);
      });

      it('getProducts keeps the asked order, drops unknown ids and repeats', async () => {
        await storage.ingestion.upsertProducts([product('a'), product('b'), product('c')]);
        expect(ids(await storage.catalogue.getProducts(['c', 'unknown', 'a', 'c', 'b']))).toEqual(['c', 'a', 'b']);
        expect(await storage.catalogue.getProducts([])).toEqual([]);
      });

      describe('best-sellers', () => {
        beforeEach(async () => {
          await storage.ingestion.upsertProducts([
            product('coat-top-sold-out', { category: 'coats', popularity: 1000, stock: 0 }),
            product('coat-1', { category: 'coats', popularity: 900 }),
            product('coat-2', { category: 'coats', popularity: 800, stock: 1 }),
            product('coat-3b', { category: 'coats', popularity: 700 }),
            product('coat-3a', { category: 'coats', popularity: 700 }), // tie: id breaks it
            product('coat-4', { category: 'coats', popularity: 100 }),
            product('shoe-1', { category: 'shoes', popularity: 950 }),
            product('shoe-2', { category: 'shoes', popularity: 850, stock: 0 }),
            product('bag-1', { category: 'bags', popularity: 750 }),
          ]);
        });

        it('orders a category by popularity, in stock only, with a stable tie-break', async () => {
          expect(ids(await storage.catalogue.bestSellersInCategory('coats', 10))).toEqual(['coat-1', 'coat-2', 'coat-3a', 'coat-3b', 'coat-4']);
        });

        it('respects the limit and excludes ids, still filling the limit', async () => {
          expect(ids(await storage.catalogue.bestSellersInCategory('coats', 2))).toEqual(['coat-1', 'coat-2']);
          expect(ids(await storage.catalogue.bestSellersInCategory('coats', 2, ['coat-1', 'coat-3a', 'shoe-1', 'coat-1']))).toEqual(['coat-2', 'coat-3b']);
          // Exclusions beyond what the category has leave fewer rows, never an error.
          expect(ids(await storage.catalogue.bestSellersInCategory('coats', 10, ['coat-1', 'coat-2', 'coat-3a', 'coat-3b']))).toEqual(['coat-4']);
        });

        it('returns nothing for a limit of 0, a negative limit or an unknown category', async () => {
          expect(await storage.catalogue.bestSellersInCategory('coats', 0)).toEqual([]);
          expect(await storage.catalogue.bestSellers(-3)).toEqual([]);
          expect(await storage.catalogue.bestSellersInCategory('coats', -1)).toEqual([]);
          expect(await storage.catalogue.bestSellersInCategory('hats', 5)).toEqual([]);
        });

        it('orders the whole catalogue the same way, across categories', async () => {
          expect(ids(await storage.catalogue.bestSellers(4))).toEqual(['shoe-1', 'coat-1', 'coat-2', 'bag-1']);
          expect(ids(await storage.catalogue.bestSellers(3, ['shoe-1', 'bag-1']))).toEqual(['coat-1', 'coat-2', 'coat-3a']);
        });

        it('hand back each product with its price list and markets', async () => {
          const priced = product('coat-priced', { popularity: 2000, prices: { GBP: { price: 86, salePrice: 70 } }, markets: ['FR'] });
          await storage.ingestion.upsertProducts([priced]);
          expect((await storage.catalogue.bestSellersInCategory('coats', 1))[0]).toEqual(priced);
          expect((await storage.catalogue.bestSellers(1))[0]).toEqual(priced);
          expect(await storage.catalogue.getProducts(['coat-priced'])).toEqual([priced]);
        });

        it('picks up stock changes: selling out removes a product, restocking brings it back', async () => {
          await storage.ingestion.upsertProducts([product('coat-1', { category: 'coats', popularity: 900, stock: 0 })]);
          expect(ids(await storage.catalogue.bestSellersInCategory('coats', 1))).toEqual(['coat-2']);
          await storage.ingestion.applyProductPatches([{ id: 'coat-top-sold-out', stock: 4 }], abort);
          expect(ids(await storage.catalogue.bestSellersInCategory('coats', 1))).toEqual(['coat-top-sold-out']);
          expect(ids(await storage.catalogue.bestSellers(1))).toEqual(['coat-top-sold-out']);
        });
      });
    });

    describe('campaigns', () => {
      it('patches create and update campaigns: fields left out keep their value, null clears the deadline, an older update is stale', async () => {
        const created = await storage.campaigns.applyCampaignPatches(
          [
            { id: 'flash', name: 'Flash', endsAt: at(DAY), allowedSenders: ['news@shop.example'], markets: ['DE'], templates: ['flash-sale'], updatedAt: at(1000) },
            { id: 'evergreen', name: 'Evergreen' },
          ],
          abort,
        );
        expect(created).toEqual({ written: true, created: 2, updated: 0, unchanged: 0, stale: [], incomplete: [] });
        // A new campaign's defaults: no deadline, no own senders, every market; untimed means now.
        expect(await storage.catalogue.getCampaign('evergreen')).toEqual({
          id: 'evergreen',
          name: 'Evergreen',
          endsAt: null,
          allowedSenders: [],
          markets: [],
          templates: [],
          updatedAt: now.toISOString(),
        });

        await storage.campaigns.applyCampaignPatches([{ id: 'flash', endsAt: at(2 * DAY), updatedAt: at(5000) }], abort);
        expect(await storage.catalogue.getCampaign('flash')).toEqual({
          id: 'flash',
          name: 'Flash',
          endsAt: at(2 * DAY),
          allowedSenders: ['news@shop.example'],
          markets: ['DE'],
          templates: ['flash-sale'],
          updatedAt: at(5000),
        });

        const stale = await storage.campaigns.applyCampaignPatches([{ id: 'flash', endsAt: null, updatedAt: at(2000) }], abort);
        expect(stale).toMatchObject({ written: true, updated: 0, stale: [{ index: 0, id: 'flash', storedUpdatedAt: at(5000) }] });
        expect((await storage.catalogue.getCampaign('flash'))?.endsAt).toBe(at(2 * DAY));

        await storage.campaigns.applyCampaignPatches([{ id: 'flash', endsAt: null, updatedAt: at(6000) }], abort);
        expect((await storage.catalogue.getCampaign('flash'))?.endsAt).toBeNull();
        expect((await storage.campaigns.listCampaigns()).map((campaign) => campaign.id)).toEqual(['evergreen', 'flash']);
      });

      it('a new campaign without a name writes nothing of the batch under abort', async () => {
        const result = await storage.campaigns.applyCampaignPatches([{ id: 'ok', name: 'Ok' }, { id: 'nameless', endsAt: null }], abort);
        expect(result).toMatchObject({ written: false, incomplete: [{ index: 1, id: 'nameless', missing: ['name'] }] });
        expect(await storage.campaigns.listCampaigns()).toEqual([]);
      });

      it('a campaign update older than what another process wrote is stale', async () => {
        const other = await db.openAnother();
        await other.campaigns.applyCampaignPatches([{ id: 'c', name: 'Other', updatedAt: at(20_000) }], abort);
        const result = await storage.campaigns.applyCampaignPatches([{ id: 'c', name: 'Mine', updatedAt: at(10_000) }], abort);
        expect(result.stale).toEqual([{ index: 0, id: 'c', storedUpdatedAt: at(20_000) }]);
        expect((await storage.catalogue.getCampaign('c'))?.name).toBe('Other');
      });
    });

    describe('ingestion', () => {
      it('writes an upsert batch atomically: one bad row rolls back the whole batch', async () => {
        const bad = product('bad', { stock: 'many' as unknown as number });
        await expect(storage.ingestion.upsertProducts([product('good'), bad])).rejects.toBeDefined();
        expect(await storage.ingestion.countProducts()).toBe(0);
        expect(await storage.catalogue.getProduct('good')).toBeUndefined();
      });

      it('a patch changes only the fields it sets; counts created, updated and unchanged per record', async () => {
        await storage.ingestion.upsertProducts([product('p', { price: 100, stock: 5, updatedAt: at(0) })]);
        const result = await storage.ingestion.applyProductPatches(
          [
            { id: 'p', stock: 2, updatedAt: at(1000) },
            { id: 'new', name: 'New', url: 'https://shop.example/new', image: 'https://shop.example/new.png', category: 'coats', price: 5, currency: 'EUR', stock: 1, updatedAt: at(1000) },
            { id: 'new', stock: 3, updatedAt: at(2000) },
          ],
          abort,
        );
        expect(result).toEqual({ written: true, created: 1, updated: 1, unchanged: 0, stale: [], incomplete: [] });
        expect(await storage.catalogue.getProduct('p')).toEqual(product('p', { price: 100, stock: 2, updatedAt: at(1000) }));
        // Patches of one record in one batch apply in order: the second sees the first.
        expect(await storage.catalogue.getProduct('new')).toMatchObject({ name: 'New', price: 5, stock: 3, popularity: 0, salePrice: null, updatedAt: at(2000) });
        // The same feed again: nothing changes, nothing is rewritten.
        expect(await storage.ingestion.applyProductPatches([{ id: 'p', stock: 2, updatedAt: at(1000) }], abort)).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
      });

      it("a patch's price list and markets replace the stored ones whole; an unchanged list rewrites nothing", async () => {
        const gbp = { GBP: { price: 86, salePrice: null } };
        await storage.ingestion.upsertProducts([product('p', { prices: { ...gbp, USD: { price: 110, salePrice: 99 } }, markets: ['DE', 'FR'], updatedAt: at(0) })]);
        await storage.ingestion.applyProductPatches([{ id: 'p', prices: gbp, markets: ['GB'], updatedAt: at(1000) }], abort);
        expect(await storage.catalogue.getProduct('p')).toMatchObject({ prices: gbp, markets: ['GB'], price: 100, currency: 'EUR' });
        // A stock-only patch keeps both lists.
        await storage.ingestion.applyProductPatches([{ id: 'p', stock: 1, updatedAt: at(2000) }], abort);
        expect(await storage.catalogue.getProduct('p')).toMatchObject({ prices: gbp, markets: ['GB'], stock: 1 });
        // The same lists again, even written in another order: unchanged.
        expect(
          await storage.ingestion.applyProductPatches([{ id: 'p', prices: { GBP: { salePrice: null, price: 86 } }, markets: ['GB', 'GB'], updatedAt: at(2000) }], abort),
        ).toMatchObject({ updated: 0, unchanged: 1 });
        // Moving the product to a currency its list holds: its own price wins and the entry goes.
        await storage.ingestion.applyProductPatches([{ id: 'p', currency: 'GBP', price: 85, updatedAt: at(3000) }], abort);
        expect(await storage.catalogue.getProduct('p')).toMatchObject({ currency: 'GBP', price: 85, prices: {} });
        // An empty list clears it.
        await storage.ingestion.applyProductPatches([{ id: 'p', markets: [], updatedAt: at(4000) }], abort);
        expect((await storage.catalogue.getProduct('p'))?.markets).toEqual([]);
      });

      it('refuses an update older than what is stored, and applies an equal or untimed one', async () => {
        await storage.ingestion.upsertProducts([product('p', { stock: 5, updatedAt: at(10_000) })]);
        const stale = await storage.ingestion.applyProductPatches([{ id: 'p', stock: 1, updatedAt: at(5_000) }], abort);
        expect(stale).toMatchObject({ written: true, updated: 0, stale: [{ index: 0, id: 'p', storedUpdatedAt: at(10_000) }] });
        expect((await storage.catalogue.getProduct('p'))?.stock).toBe(5);

        await storage.ingestion.applyProductPatches([{ id: 'p', stock: 4, updatedAt: at(10_000) }], abort);
        expect((await storage.catalogue.getProduct('p'))?.stock).toBe(4);
        // Untimed: "now" for the sender, but never earlier than what is stored (at(10 s) is after `now`).
        await storage.ingestion.applyProductPatches([{ id: 'p', stock: 3 }], abort);
        expect(await storage.catalogue.getProduct('p')).toMatchObject({ stock: 3, updatedAt: at(10_000) });
      });

      it('an update older than what another process wrote is stale too', async () => {
        const other = await db.openAnother();
        await storage.ingestion.upsertProducts([product('p', { stock: 5, updatedAt: at(0) })]);
        await other.ingestion.applyProductPatches([{ id: 'p', stock: 9, updatedAt: at(20_000) }], abort);
        const result = await storage.ingestion.applyProductPatches([{ id: 'p', stock: 1, updatedAt: at(10_000) }], abort);
        expect(result.stale).toEqual([{ index: 0, id: 'p', storedUpdatedAt: at(20_000) }]);
        expect((await other.catalogue.getProduct('p'))?.stock).toBe(9);
      });

      it('abort: a new record without its required fields writes nothing of the batch; skip writes the rest', async () => {
        const incomplete = [
          { id: 'ok', name: 'Ok', url: 'https://shop.example/ok', image: 'https://shop.example/ok.png', category: 'coats', price: 5, currency: 'EUR', stock: 1 },
          { id: 'no-price', name: 'No price' },
        ];
        const aborted = await storage.ingestion.applyProductPatches(incomplete, abort);
        expect(aborted).toMatchObject({ written: false, incomplete: [{ index: 1, id: 'no-price', missing: ['url', 'image', 'category', 'price', 'currency', 'stock'] }] });
        expect(await storage.ingestion.countProducts()).toBe(0);

        const skipped = await storage.ingestion.applyProductPatches(incomplete, skip);
        expect(skipped).toMatchObject({ written: true, created: 1, incomplete: [{ index: 1, id: 'no-price' }] });
        expect(ids(await storage.catalogue.getProducts(['ok', 'no-price']))).toEqual(['ok']);
      });

      it('a patch batch that fails part-way writes nothing of itself', async () => {
        await storage.ingestion.upsertProducts([product('a', { stock: 1 }), product('b', { stock: 1 })]);
        await expect(storage.ingestion.applyProductPatches([{ id: 'a', stock: 7 }, { id: 'b', stock: 'many' as unknown as number }], abort)).rejects.toBeDefined();
        expect((await storage.catalogue.getProduct('a'))?.stock).toBe(1);
      });

      it('subscriber patches: partial updates, new profiles need a locale and a time zone', async () => {
        await storage.ingestion.upsertSubscribers([subscriber('s1', { loyaltyPoints: 10, cart: ['x'] })]);
        const result = await storage.ingestion.applySubscriberPatches(
          [
            { id: 's1', loyaltyPoints: 20 },
            { id: 's2', locale: 'de-DE', timeZone: 'Europe/Berlin', firstName: 'Lena' },
            { id: 's3', firstName: 'No locale' },
          ],
          skip,
        );
        expect(result).toMatchObject({ written: true, created: 1, updated: 1, incomplete: [{ index: 2, id: 's3', missing: ['locale', 'timeZone'] }] });
        expect(await storage.catalogue.getSubscriber('s1')).toMatchObject({ loyaltyPoints: 20, cart: ['x'], firstName: 'Noah' });
        expect(await storage.catalogue.getSubscriber('s2')).toMatchObject({ firstName: 'Lena', locale: 'de-DE', timeZone: 'Europe/Berlin', cart: [], updatedAt: now.toISOString() });
        expect(await storage.catalogue.getSubscriber('s3')).toBeUndefined();
      });

      it('subscriber patches: named dates merge into the stored ones, null removes one, an unchanged set writes nothing', async () => {
        await storage.ingestion.upsertSubscribers([subscriber('s1', { dates: { couponExpiresAt: '2025-03-24T23:59:00+02:00' } })]);
        await storage.ingestion.applySubscriberPatches([{ id: 's1', dates: { signedUpAt: '2024-01-01T00:00:00Z' } }], abort);
        expect((await storage.catalogue.getSubscriber('s1'))?.dates).toEqual({ couponExpiresAt: '2025-03-24T23:59:00+02:00', signedUpAt: '2024-01-01T00:00:00Z' });
        expect(await storage.ingestion.applySubscriberPatches([{ id: 's1', dates: { signedUpAt: '2024-01-01T00:00:00Z' } }], abort)).toMatchObject({ unchanged: 1, updated: 0 });
        await storage.ingestion.applySubscriberPatches([{ id: 's1', dates: { couponExpiresAt: null } }], abort);
        expect((await storage.catalogue.getSubscriber('s1'))?.dates).toEqual({ signedUpAt: '2024-01-01T00:00:00Z' });
      });

      it('subscriber coordinates: stored and read back as sent, kept by patches that omit them, removed by null', async () => {
        await storage.ingestion.upsertSubscribers([subscriber('s1'), subscriber('s2', { latitude: 51.5142, longitude: -0.0931 })]);
        expect(await storage.catalogue.getSubscriber('s1')).toMatchObject({ latitude: null, longitude: null });
        expect(await storage.catalogue.getSubscriber('s2')).toMatchObject({ latitude: 51.5142, longitude: -0.0931 });
        await storage.ingestion.applySubscriberPatches([{ id: 's1', latitude: -33.8688, longitude: 151.2093 }, { id: 's2', loyaltyPoints: 5 }], abort);
        expect(await storage.catalogue.getSubscriber('s1')).toMatchObject({ latitude: -33.8688, longitude: 151.2093 });
        expect(await storage.catalogue.getSubscriber('s2')).toMatchObject({ latitude: 51.5142, longitude: -0.0931, loyaltyPoints: 5 });
        expect(await storage.ingestion.applySubscriberPatches([{ id: 's1', latitude: -33.8688 }], abort)).toMatchObject({ unchanged: 1, updated: 0 });
        await storage.ingestion.applySubscriberPatches([{ id: 's2', latitude: null, longitude: null }], abort);
        expect(await storage.catalogue.getSubscriber('s2')).toMatchObject({ latitude: null, longitude: null });
      });

      describe('events', () => {
        beforeEach(async () => {
          await storage.ingestion.upsertSubscribers([subscriber('s1')]);
        });

        it('applies an event once: a replayed id, in a later batch or the same one, is a duplicate', async () => {
          expect(await storage.ingestion.applySubscriberEvents([points('e-1', 10)], { now })).toEqual({ applied: 1, duplicates: [], stale: [] });
          expect(await storage.ingestion.applySubscriberEvents([points('e-1', 10), points('e-2', 5), points('e-2', 5)], { now })).toEqual({
            applied: 1,
            duplicates: [
              { index: 0, id: 'e-1' },
              { index: 2, id: 'e-2' },
            ],
            stale: [],
          });
          expect((await storage.catalogue.getSubscriber('s1'))?.loyaltyPoints).toBe(15);
        });

        it('is idempotent across processes, even when both apply the same batch at once', async () => {
          const other = await db.openAnother();
          const batch = [points('e-1', 10), points('e-2', 1)];
          const results = await Promise.all([storage.ingestion.applySubscriberEvents(batch, { now }), other.ingestion.applySubscriberEvents(batch, { now })]);
          expect(results.map((result) => result.applied).sort()).toEqual([0, 2]);
          expect(results.map((result) => result.duplicates.length).sort()).toEqual([0, 2]);
          expect(await other.ingestion.applySubscriberEvents([points('e-2', 1)], { now })).toMatchObject({ applied: 0, duplicates: [{ index: 0, id: 'e-2' }] });
          expect((await storage.catalogue.getSubscriber('s1'))?.loyaltyPoints).toBe(11);
        });

        it('a failed event batch records no event id, so the retry applies it once', async () => {
          const broken = { ...points('e-bad', 0), delta: 'lots' as unknown as number };
          await expect(storage.ingestion.applySubscriberEvents([points('e-1', 10), broken], { now })).rejects.toBeDefined();
          expect((await storage.catalogue.getSubscriber('s1'))?.loyaltyPoints).toBe(0);
          expect(await storage.ingestion.applySubscriberEvents([points('e-1', 10)], { now })).toEqual({ applied: 1, duplicates: [], stale: [] });
          expect(await storage.ingestion.applySubscriberEvents([points('e-1', 10)], { now })).toEqual({ applied: 0, duplicates: [{ index: 0, id: 'e-1' }], stale: [] });
          expect((await storage.catalogue.getSubscriber('s1'))?.loyaltyPoints).toBe(10);
        });

        it('cart changes delivered out of order settle on what happened last', async () => {
          await storage.ingestion.applySubscriberEvents([cart('add', 'added_to_cart', 'p1', 2000)], { now });
          const late = await storage.ingestion.applySubscriberEvents([cart('remove-earlier', 'removed_from_cart', 'p1', 1000)], { now });
          expect(late).toEqual({ applied: 0, duplicates: [], stale: [{ index: 0, id: 'remove-earlier', reason: expect.stringContaining('p1') }] });
          expect((await storage.catalogue.getSubscriber('s1'))?.cart).toEqual(['p1']);
          // A purchase made before the add leaves the product in the cart; one made after removes it.
          await storage.ingestion.applySubscriberEvents(
            [{ id: 'bought-before', type: 'purchased', subscriberId: 's1', productIds: ['p1'], occurredAt: at(1500) }],
            { now },
          );
          expect(await storage.catalogue.getSubscriber('s1')).toMatchObject({ cart: ['p1'], purchases: ['p1'] });
          await storage.ingestion.applySubscriberEvents([{ id: 'bought-after', type: 'purchased', subscriberId: 's1', productIds: ['p1'], occurredAt: at(3000) }], { now });
          expect((await storage.catalogue.getSubscriber('s1'))?.cart).toEqual([]);
        });

        it('an event for an unknown subscriber creates a profile the next profile update is never stale against', async () => {
          await storage.ingestion.applySubscriberEvents([cart('view', 'added_to_cart', 'p9', 0, 'newcomer')], { now });
          expect(await storage.catalogue.getSubscriber('newcomer')).toMatchObject({ cart: ['p9'], locale: 'en-US', updatedAt: new Date(0).toISOString() });
          const result = await storage.ingestion.applySubscriberPatches([{ id: 'newcomer', firstName: 'Ada', updatedAt: '2020-01-01T00:00:00.000Z' }], abort);
          expect(result).toMatchObject({ updated: 1, stale: [] });
          expect(await storage.catalogue.getSubscriber('newcomer')).toMatchObject({ firstName: 'Ada', cart: ['p9'] });
        });
      });

      describe('identity', () => {
        const view = (id: string, productId: string, occurredAtMs: number, who: { subscriberId: string } | { anonymousId: string }): SubscriberEvent => ({
          id,
          type: 'product_viewed',
          productId,
          occurredAt: at(occurredAtMs),
          ...who,
        });
        const identify = (id: string, anonymousId: string, subscriberId: string, occurredAtMs: number): SubscriberEvent => ({
          id,
          type: 'identify',
          anonymousId,
          subscriberId,
          occurredAt: at(occurredAtMs),
        });
        const s1 = { subscriberId: 's1' };
        const a1 = { anonymousId: 'cookie-a1' };
        const a2 = { anonymousId: 'device-a2' };
        // s1 viewed p3 and p4 themselves; two anonymous ids viewed earlier and later, one put p1 in its cart.
        const before: SubscriberEvent[] = [
          view('own-p3', 'p3', 3000, s1),
          view('own-p4', 'p4', 4000, s1),
          view('a1-p1', 'p1', 1000, a1),
          { id: 'a1-cart-p1', type: 'added_to_cart', productId: 'p1', occurredAt: at(1100), ...a1 },
          view('a2-p2', 'p2', 5000, a2),
          view('a2-p3', 'p3', 500, a2),
        ];
        const links = [identify('login-1', 'cookie-a1', 's1', 6000), identify('login-2', 'device-a2', 's1', 6001)];

        beforeEach(async () => {
          await storage.ingestion.upsertSubscribers([subscriber('s1'), subscriber('s2')]);
        });

        it('merges two anonymous ids into one subscriber in time order, once: a replay changes nothing', async () => {
          expect(await storage.ingestion.applySubscriberEvents(before, { now })).toEqual({ applied: 6, duplicates: [], stale: [] });
          // Not linked yet: the subscriber's profile holds only their own views.
          expect(await storage.catalogue.getSubscriber('s1')).toMatchObject({ recentViews: ['p4', 'p3'], cart: [] });
          expect(await storage.identity.subscriberIdFor('cookie-a1')).toBeUndefined();

          expect(await storage.ingestion.applySubscriberEvents(links, { now })).toEqual({ applied: 2, duplicates: [], stale: [] });
          const merged = await storage.catalogue.getSubscriber('s1');
          // p2 (5000) above their own views, p1 (1000) below them; p3 once, at its later time (3000).
          expect(merged).toMatchObject({ recentViews: ['p2', 'p4', 'p3', 'p1'], cart: ['p1'] });
          expect(await storage.identity.subscriberIdsFor(['cookie-a1', 'device-a2', 'never-seen'])).toEqual(
            new Map([
              ['cookie-a1', 's1'],
              ['device-a2', 's1'],
            ]),
          );
          expect(await storage.identity.anonymousIdsOf('s1')).toEqual(['cookie-a1', 'device-a2']);

          // The same deliveries again, through another process: every id a duplicate, the profile as it was.
          const other = await db.openAnother();
          const replay = await other.ingestion.applySubscriberEvents([...before, ...links], { now });
          expect(replay.applied).toBe(0);
          expect(replay.duplicates.map((duplicate) => duplicate.id)).toEqual([...before, ...links].map((event) => event.id));
          expect(await storage.catalogue.getSubscriber('s1')).toEqual(merged);
        });

        it('events of an anonymous id after it was identified go to its subscriber', async () => {
          await storage.ingestion.applySubscriberEvents([...before, ...links], { now });
          // Read once first: behind a catalogue cache, the anonymous events below must drop this entry.
          expect((await storage.catalogue.getSubscriber('s1'))?.recentViews).toEqual(['p2', 'p4', 'p3', 'p1']);
          await storage.ingestion.applySubscriberEvents([view('a1-p5', 'p5', 7000, a1), { id: 'a2-cart-p6', type: 'added_to_cart', productId: 'p6', occurredAt: at(7100), ...a2 }], {
            now,
          });
          expect(await storage.catalogue.getSubscriber('s1')).toMatchObject({ recentViews: ['p5', 'p2', 'p4', 'p3', 'p1'], cart: ['p6', 'p1'] });
        });

        it('an anonymous id keeps its first link: another subscriber claiming it is answered as stale', async () => {
          await storage.ingestion.applySubscriberEvents([view('a1-p1', 'p1', 1000, a1), identify('login-1', 'cookie-a1', 's1', 2000)], { now });
          const claim = await storage.ingestion.applySubscriberEvents([identify('login-s2', 'cookie-a1', 's2', 3000)], { now });
          expect(claim).toEqual({ applied: 0, duplicates: [], stale: [{ index: 0, id: 'login-s2', reason: expect.stringContaining('cookie-a1') }] });
          expect(await storage.identity.subscriberIdFor('cookie-a1')).toBe('s1');
          expect((await storage.catalogue.getSubscriber('s2'))?.recentViews).toEqual([]);
          // Linking it to the same subscriber again is harmless.
          expect(await storage.ingestion.applySubscriberEvents([identify('login-again', 'cookie-a1', 's1', 4000)], { now })).toEqual({ applied: 1, duplicates: [], stale: [] });
          expect((await storage.catalogue.getSubscriber('s1'))?.recentViews).toEqual(['p1']);
        });

        it('a cart change the subscriber made later wins over the anonymous one', async () => {
          await storage.ingestion.applySubscriberEvents(
            [
              { id: 'own-add', type: 'added_to_cart', productId: 'p1', occurredAt: at(1000), ...s1 },
              { id: 'own-remove', type: 'removed_from_cart', productId: 'p1', occurredAt: at(3000), ...s1 },
              { id: 'anon-add-p1', type: 'added_to_cart', productId: 'p1', occurredAt: at(2000), ...a1 },
              { id: 'anon-add-p2', type: 'added_to_cart', productId: 'p2', occurredAt: at(2000), ...a1 },
              { id: 'anon-bought-p2', type: 'purchased', productIds: ['p2'], occurredAt: at(2500), ...a1 },
            ],
            { now },
          );
          await storage.ingestion.applySubscriberEvents([identify('login-1', 'cookie-a1', 's1', 4000)], { now });
          expect(await storage.catalogue.getSubscriber('s1')).toMatchObject({ cart: [], purchases: ['p2'] });
        });

        it('an anonymous event and the identify that links its id, in two processes at once, leave the event merged', async () => {
          const other = await db.openAnother();
          await Promise.all([
            storage.ingestion.applySubscriberEvents([view('a1-p1', 'p1', 1000, a1)], { now }),
            other.ingestion.applySubscriberEvents([identify('login-1', 'cookie-a1', 's1', 2000)], { now }),
          ]);
          expect((await storage.catalogue.getSubscriber('s1'))?.recentViews).toEqual(['p1']);
        });

        it('two processes linking one anonymous id to two subscribers at once: exactly one link wins, the other is stale', async () => {
          await storage.ingestion.applySubscriberEvents([view('a1-p1', 'p1', 1000, a1)], { now });
          const other = await db.openAnother();
          const results = await Promise.all([
            storage.ingestion.applySubscriberEvents([identify('login-s1', 'cookie-a1', 's1', 2000)], { now }),
            other.ingestion.applySubscriberEvents([identify('login-s2', 'cookie-a1', 's2', 2000)], { now }),
          ]);
          expect(results.map((result) => result.applied).sort()).toEqual([0, 1]);
          expect(results.map((result) => result.stale.length).sort()).toEqual([0, 1]);
          const winner = await other.identity.subscriberIdFor('cookie-a1');
          const loser = winner === 's1' ? 's2' : 's1';
          expect((await storage.catalogue.getSubscriber(winner ?? ''))?.recentViews).toEqual(['p1']);
          expect((await storage.catalogue.getSubscriber(loser))?.recentViews).toEqual([]);
        });
        it('viewersOf names who viewed a product since a time, their own views and merged anonymous ones alike', async () => {
          await storage.ingestion.applySubscriberEvents([...before, view('s2-p3', 'p3', 2000, { subscriberId: 's2' })], { now });
          // Anonymous views count once linked: a2 viewed p2 at 5000, merged into s1 by the identify.
          expect(await storage.identity.viewersOf('p2', new Date(at(0)))).toEqual([]);
          await storage.ingestion.applySubscriberEvents(links, { now });
          expect(await storage.identity.viewersOf('p2', new Date(at(0)))).toEqual(['s1']);
          expect(await storage.identity.viewersOf('p3', new Date(at(0)))).toEqual(['s1', 's2']);
          // s1's latest view of p3 is at 3000, s2's at 2000; a purchase or cart add is not a view.
          expect(await storage.identity.viewersOf('p3', new Date(at(2500)))).toEqual(['s1']);
          expect(await storage.identity.viewersOf('p3', new Date(at(3001)))).toEqual([]);
          expect(await storage.identity.viewersOf('p1', new Date(at(0)))).toEqual(['s1']);
          expect(await storage.identity.viewersOf('p9', new Date(at(0)))).toEqual([]);
        });
      });
    });

    describe('impressions', () => {
      it('keeps the newest impression when an older one arrives later', async () => {
        const base = { subscriberId: 's', campaignId: 'c', blockId: 'b' };
        await storage.impressions.record([{ ...base, urls: ['https://a'], renderedAt: '2026-11-22T10:00:05.000Z' }]);
        await storage.impressions.record([{ ...base, urls: ['https://old'], renderedAt: '2026-11-22T10:00:01.000Z' }]);
        expect((await storage.impressions.latest('s', 'c', 'b'))?.urls).toEqual(['https://a']);
        await storage.impressions.record([{ ...base, urls: ['https://b', 'https://c'], renderedAt: '2026-11-22T10:00:09.000Z' }]);
        expect(await storage.impressions.latest('s', 'c', 'b')).toEqual({ ...base, urls: ['https://b', 'https://c'], renderedAt: '2026-11-22T10:00:09.000Z' });
        expect(await storage.impressions.latest('s', 'c', 'other')).toBeUndefined();
      });

      it('latest wins inside one batch too, and keys do not mix', async () => {
        await storage.impressions.record([
          impression('s1', 5000, ['new']),
          impression('s1', 1000, ['old']),
          impression('s2', 1000, ['s2']),
          impression('s1', 1000, ['other block'], { blockId: 'b2' }),
          impression('s1', 1000, ['other campaign'], { campaignId: 'c2' }),
        ]);
        expect((await storage.impressions.latest('s1', 'c', 'b'))?.urls).toEqual(['new']);
        expect((await storage.impressions.latest('s2', 'c', 'b'))?.urls).toEqual(['s2']);
        expect((await storage.impressions.latest('s1', 'c', 'b2'))?.urls).toEqual(['other block']);
        expect((await storage.impressions.latest('s1', 'c2', 'b'))?.urls).toEqual(['other campaign']);
      });

      it('a render recorded by one process is what a click served by another finds; an older one never replaces it', async () => {
        const other = await db.openAnother();
        await storage.impressions.record([impression('s', 2000, ['from A'])]);
        expect((await other.impressions.latest('s', 'c', 'b'))?.urls).toEqual(['from A']);
        await other.impressions.record([impression('s', 1000, ['older, from B'])]);
        expect((await storage.impressions.latest('s', 'c', 'b'))?.urls).toEqual(['from A']);
        await other.impressions.record([impression('s', 3000, ['newer, from B'])]);
        expect((await storage.impressions.latest('s', 'c', 'b'))?.urls).toEqual(['newer, from B']);
      });
    });

    describe('render log', () => {
      it('appends every row and counts a campaign per block and variant', async () => {
        const other = await db.openAnother();
        await storage.renderLog.appendRenders([
          render('a1', { variant: 'a', surface: 'json', client: 'amp' }),
          render('a1', { variant: 'a' }), // the same subscriber again: two rows
          render('a2', { variant: 'a', client: 'apple-prefetch', prefetch: true }), // prefetch only, but clicks below
          render('a3', { variant: 'a', client: 'apple-prefetch', prefetch: true }), // prefetch only: no human open
          render('h1', { variant: 'holdout', outcome: 'holdout' }),
          render('s1', { blockId: 'hero' }),
          render('x1', { campaignId: 'spring-sale', variant: 'a' }),
        ]);
        // Another process appends to the same log.
        await other.renderLog.appendRenders([render('a4', { variant: 'a' })]);
        await other.renderLog.appendClicks([click('a2', { variant: 'a' }), click('a2', { variant: 'a', slot: 1 }), click('a1', { variant: 'a' })]);
        await storage.renderLog.appendClicks([click('x1', { campaignId: 'spring-sale', variant: 'a' }), click('s9', { blockId: 'hero' })]);

        const counts = await storage.renderLog.campaignReportCounts('flash-sale');
        const byGroup = Object.fromEntries(counts.map((row) => [`${row.blockId}/${row.variant}`, row]));
        expect(Object.keys(byGroup).sort()).toEqual(['hero/null', 'picks/a', 'picks/holdout']);
        expect(byGroup['picks/a']).toEqual({ blockId: 'picks', variant: 'a', renders: 5, prefetchRenders: 2, humanOpeners: 3, clicks: 3, clickers: 2 });
        expect(byGroup['picks/holdout']).toEqual({ blockId: 'picks', variant: 'holdout', renders: 1, prefetchRenders: 0, humanOpeners: 1, clicks: 0, clickers: 0 });
        // A click without any render on record still proves a human open.
        expect(byGroup['hero/null']).toEqual({ blockId: 'hero', variant: null, renders: 1, prefetchRenders: 0, humanOpeners: 2, clicks: 1, clickers: 1 });
        expect(await other.renderLog.campaignReportCounts('spring-sale')).toEqual([{ blockId: 'picks', variant: 'a', renders: 1, prefetchRenders: 0, humanOpeners: 1, clicks: 1, clickers: 1 }]);
        expect(await storage.renderLog.campaignReportCounts('no-such-campaign')).toEqual([]);
      });

      it("a subscriber's timeline: their renders and clicks in one campaign, newest first (ties: later append first), at most the limit, fields as appended", async () => {
        const other = await db.openAnother();
        const first = render('emma', { renderedAt: T0, surface: 'image', client: 'apple-prefetch', prefetch: true, itemIds: ['p1', 'p2'] });
        const second = render('emma', { renderedAt: T0 + 60_000, surface: 'json', client: 'amp', variant: 'live', locked: true, itemIds: ['p3'] });
        const sameTime = render('emma', { renderedAt: T0 + 60_000, blockId: 'hero', outcome: 'held_back', itemIds: [] });
        await storage.renderLog.appendRenders([first, second]);
        await other.renderLog.appendRenders([sameTime, render('noah', { renderedAt: T0 + 90_000 }), render('emma', { campaignId: 'spring-sale', renderedAt: T0 + 90_000 })]);
        const clicked = click('emma', { clickedAt: T0 + 120_000, slot: 1, variant: 'live', url: 'https://shop.example/p3' });
        await storage.renderLog.appendClicks([clicked, click('noah', { clickedAt: T0 + 130_000 })]);

        const timeline = await other.renderLog.subscriberTimeline('flash-sale', 'emma', 50);
        expect(timeline).toEqual({ renders: [sameTime, second, first], clicks: [clicked] });
        expect((await storage.renderLog.subscriberTimeline('flash-sale', 'emma', 2)).renders).toEqual([sameTime, second]);
        expect(await storage.renderLog.subscriberTimeline('flash-sale', 'nobody', 50)).toEqual({ renders: [], clicks: [] });
      });

      it('an empty append is a no-op', async () => {
        await storage.renderLog.appendRenders([]);
        await storage.renderLog.appendClicks([]);
        expect(await storage.renderLog.campaignReportCounts('flash-sale')).toEqual([]);
      });
    });

    describe('orders', () => {
      const order = (orderId: string, over: Partial<OrderRecord> = {}): OrderRecord => ({
        orderId,
        subscriberId: 's1',
        anonymousId: null,
        occurredAt: T0 + 3_600_000,
        receivedAt: T0 + 3_600_500,
        currency: 'EUR',
        totalMinor: 5990,
        lines: [{ productId: 'p1', quantity: 1, unitAmount: '59.90' }],
        click: { campaignId: 'flash-sale', blockId: 'picks', variant: 'a', at: T0 + 60_000 },
        open: { campaignId: 'flash-sale', blockId: 'hero', variant: null, at: T0 },
        ...over,
      });

      it('an order id is recorded once: a replay, a repeat in the batch or another process\'s copy is a duplicate and changes nothing', async () => {
        const other = await db.openAnother();
        expect(await storage.orders.recordOrders([order('o1'), order('o2', { totalMinor: 100 }), order('o1', { totalMinor: 1 })])).toEqual({ recorded: ['o1', 'o2'], duplicates: ['o1'] });
        expect(await other.orders.recordOrders([order('o2', { totalMinor: 999 }), order('o3', { anonymousId: 'anon-1', subscriberId: null, click: null, open: null })])).toEqual({
          recorded: ['o3'],
          duplicates: ['o2'],
        });
        expect(await storage.orders.getOrder('o1')).toEqual(order('o1'));
        expect((await storage.orders.getOrder('o2'))?.totalMinor).toBe(100);
        expect(await other.orders.getOrder('o3')).toEqual(order('o3', { anonymousId: 'anon-1', subscriberId: null, click: null, open: null }));
        expect(await storage.orders.getOrder('nope')).toBeUndefined();
        expect(await storage.orders.recordOrders([])).toEqual({ recorded: [], duplicates: [] });
      });

      it("the last touches: the subscriber's latest click and latest human render in [since, until], of any campaign", async () => {
        await storage.renderLog.appendRenders([
          render('s1', { renderedAt: T0, campaignId: 'old', blockId: 'b0' }),
          render('s1', { renderedAt: T0 + 1000, variant: 'a' }),
          render('s1', { renderedAt: T0 + 2000, blockId: 'hero' }), // same time as the next: the later append wins
          render('s1', { renderedAt: T0 + 2000, blockId: 'footer' }),
          render('s1', { renderedAt: T0 + 3000, client: 'apple-prefetch', prefetch: true }), // not a human open
          render('s1', { renderedAt: T0 + 9000, campaignId: 'later' }), // after `until`
          render('s2', { renderedAt: T0 + 2500 }),
        ]);
        await storage.renderLog.appendClicks([
          click('s1', { clickedAt: T0 + 500, campaignId: 'old', blockId: 'b0' }),
          click('s1', { clickedAt: T0 + 1500, variant: 'holdout' }),
          click('s2', { clickedAt: T0 + 1800 }),
        ]);
        const other = await db.openAnother();
        expect(await other.orders.lastTouches('s1', T0, T0 + 5000)).toEqual({
          click: { campaignId: 'flash-sale', blockId: 'picks', variant: 'holdout', at: T0 + 1500 },
          open: { campaignId: 'flash-sale', blockId: 'footer', variant: null, at: T0 + 2000 },
        });
        expect(await storage.orders.lastTouches('s1', T0, T0 + 1200)).toEqual({
          click: { campaignId: 'old', blockId: 'b0', variant: null, at: T0 + 500 },
          open: { campaignId: 'flash-sale', blockId: 'picks', variant: 'a', at: T0 + 1000 },
        });
        // The window's start is inclusive, and nothing before it counts.
        expect(await storage.orders.lastTouches('s1', T0 + 1600, T0 + 1700)).toEqual({ click: null, open: null });
        expect(await storage.orders.lastTouches('nobody', 0, T0 + 10_000)).toEqual({ click: null, open: null });
      });

      it('campaign rows: per block, arm, currency and buyer, under either model, anonymous and other campaigns\' orders left out', async () => {
        await storage.orders.recordOrders([
          order('o1'),
          order('o2', { totalMinor: 1000 }),
          order('o3', { subscriberId: 's2', currency: 'GBP', totalMinor: 250 }),
          order('o4', { subscriberId: 's3', click: null, open: { campaignId: 'flash-sale', blockId: 'picks', variant: 'holdout', at: T0 } }),
          order('o5', { subscriberId: 's4', click: { campaignId: 'spring', blockId: 'picks', variant: null, at: T0 }, open: null }),
          order('o6', { subscriberId: null, anonymousId: 'anon', click: null, open: null }),
        ]);
        const sorted = (rows: CampaignOrderRow[]): CampaignOrderRow[] => [...rows].sort((a, b) => a.subscriberId.localeCompare(b.subscriberId) || a.currency.localeCompare(b.currency));
        expect(sorted(await storage.orders.campaignOrderRows('flash-sale', 'last_click'))).toEqual([
          { blockId: 'picks', variant: 'a', currency: 'EUR', subscriberId: 's1', orders: 2, revenueMinor: 6990 },
          { blockId: 'picks', variant: 'a', currency: 'GBP', subscriberId: 's2', orders: 1, revenueMinor: 250 },
        ]);
        expect(sorted(await storage.orders.campaignOrderRows('flash-sale', 'last_open'))).toEqual([
          { blockId: 'hero', variant: null, currency: 'EUR', subscriberId: 's1', orders: 2, revenueMinor: 6990 },
          { blockId: 'hero', variant: null, currency: 'GBP', subscriberId: 's2', orders: 1, revenueMinor: 250 },
          { blockId: 'picks', variant: 'holdout', currency: 'EUR', subscriberId: 's3', orders: 1, revenueMinor: 5990 },
        ]);
        expect(await storage.orders.campaignOrderRows('nothing', 'last_click')).toEqual([]);
      });

      it('anonymous orders wait for their id to be linked, then are credited once, and only while no subscriber is credited', async () => {
        const anonymous = (orderId: string, occurredAt: number, anonymousId = 'cookie-1'): OrderRecord =>
          order(orderId, { subscriberId: null, anonymousId, occurredAt, click: null, open: null });
        await storage.orders.recordOrders([anonymous('a2', T0 + 2000), anonymous('a1', T0 + 1000), anonymous('b1', T0, 'cookie-2'), order('s1', { anonymousId: 'cookie-1' })]);
        const other = await db.openAnother();
        expect((await other.orders.awaitingIdentity('cookie-1')).map((o) => o.orderId)).toEqual(['a1', 'a2']);
        expect(await storage.orders.awaitingIdentity('nobody')).toEqual([]);

        const click = { campaignId: 'flash-sale', blockId: 'picks', variant: 'a', at: T0 };
        const credit = { orderId: 'a1', subscriberId: 'emma', click, open: null };
        expect(await storage.orders.creditAnonymous([credit, { orderId: 'a2', subscriberId: 'emma', click: null, open: click }])).toBe(2);
        expect(await other.orders.creditAnonymous([{ ...credit, subscriberId: 'someone-else' }, { ...credit, orderId: 's1' }])).toBe(0);
        expect(await storage.orders.getOrder('a1')).toEqual({ ...anonymous('a1', T0 + 1000), subscriberId: 'emma', click });
        expect(await storage.orders.awaitingIdentity('cookie-1')).toEqual([]);
        expect((await storage.orders.awaitingIdentity('cookie-2')).map((o) => o.orderId)).toEqual(['b1']);
        expect(await storage.orders.creditAnonymous([])).toBe(0);
      });
    });

    describe('block locks', () => {
      it('the first claim wins; a later one is refused and the first is what get returns', async () => {
        const first = lock('s', 'first', { variant: 'arm-a', messageVariant: 'vip', lockedAt: T0 + 5 });
        expect(await storage.locks.claim([first])).toEqual([true]);
        expect(await storage.locks.claim([lock('s', 'second')])).toEqual([false]);
        expect(await storage.locks.get('c', 'b', 's')).toEqual(first);
        expect(await storage.locks.get('c', 'b', 'nobody')).toBeUndefined();
        expect(await storage.locks.claim([])).toEqual([]);
      });

      it('within one call, one flag per lock in order: the first of two locks with one key wins', async () => {
        expect(await storage.locks.claim([lock('s1', 'one'), lock('s2', 'two'), lock('s1', 'three'), lock('s1', 'other block', { blockId: 'b2' })])).toEqual([true, true, false, true]);
        expect((await storage.locks.get('c', 'b', 's1'))?.view).toEqual(lock('s1', 'one').view);
        expect((await storage.locks.get('c', 'b2', 's1'))?.view).toEqual(lock('s1', 'other block').view);
      });

      it('many concurrent claims from two processes: exactly one winner per key, and both read it back', async () => {
        const other = await db.openAnother();
        const subscribers = ['s1', 's2', 's3', 's4', 's5'];
        const claims = subscribers.flatMap((subscriberId) =>
          Array.from({ length: 20 }, (_, n) => {
            const instance = n % 2 === 0 ? storage : other;
            return instance.locks.claim([lock(subscriberId, `${n % 2 === 0 ? 'A' : 'B'}-${n}`)]).then(([won]) => ({ subscriberId, n, won }));
          }),
        );
        const outcomes = await Promise.all(claims);
        for (const subscriberId of subscribers) {
          const winners = outcomes.filter((outcome) => outcome.subscriberId === subscriberId && outcome.won);
          expect(winners).toHaveLength(1);
          const winner = winners[0] as { n: number };
          const expected = lock(subscriberId, `${winner.n % 2 === 0 ? 'A' : 'B'}-${winner.n}`);
          expect(await storage.locks.get('c', 'b', subscriberId)).toEqual(expected);
          expect(await other.locks.get('c', 'b', subscriberId)).toEqual(expected);
        }
      });
    });

    describe('first opens', () => {
      it('the first claim is recorded; a later one gets the first moment back, per campaign and subscriber', async () => {
        expect(await storage.firstOpens.get('c', 's')).toBeUndefined();
        expect(await storage.firstOpens.claim('c', 's', T0 + 5)).toBe(T0 + 5);
        expect(await storage.firstOpens.claim('c', 's', T0 + 9_000)).toBe(T0 + 5);
        expect(await storage.firstOpens.get('c', 's')).toBe(T0 + 5);
        expect(await storage.firstOpens.get('c', 'other subscriber')).toBeUndefined();
        expect(await storage.firstOpens.claim('next campaign', 's', T0 + 7)).toBe(T0 + 7);
      });

      it('many concurrent claims from two processes all resolve the one moment recorded', async () => {
        const other = await db.openAnother();
        const subscribers = ['s1', 's2', 's3', 's4', 's5'];
        const claims = subscribers.flatMap((subscriberId) =>
          Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? storage : other).firstOpens.claim('c', subscriberId, T0 + n).then((at) => ({ subscriberId, at }))),
        );
        const outcomes = await Promise.all(claims);
        for (const subscriberId of subscribers) {
          const seen = new Set(outcomes.filter((outcome) => outcome.subscriberId === subscriberId).map((outcome) => outcome.at));
          expect(seen.size).toBe(1);
          const [recorded] = [...seen];
          expect(await storage.firstOpens.get('c', subscriberId)).toBe(recorded);
          expect(await other.firstOpens.get('c', subscriberId)).toBe(recorded);
        }
      });
    });

    describe('retention', () => {
      it('prunes renders and clicks oldest first, at most `limit` a call, never inside the window', async () => {
        // One campaign per row, so what is left says which rows went.
        await storage.renderLog.appendRenders([0, 1, 2, 3, 4].map((n) => render(`s${n}`, { campaignId: `c${n}`, renderedAt: T0 + n * DAY })));
        await storage.renderLog.appendClicks([0, 1, 2].map((n) => click(`s${n}`, { campaignId: `c${n}`, clickedAt: T0 + n * DAY })));
        const before = new Date(T0 + 3 * DAY); // rows 0, 1 and 2 are older
        expect(await storage.retention.pruneRenders(before, 0)).toBe(0);
        expect(await storage.retention.pruneRenders(before, -1)).toBe(0);
        expect(await storage.retention.pruneRenders(before, 2)).toBe(2);
        const left = async (): Promise<string[]> => {
          const found: string[] = [];
          for (const n of [0, 1, 2, 3, 4]) if ((await storage.renderLog.campaignReportCounts(`c${n}`))[0]?.renders) found.push(`c${n}`);
          return found;
        };
        expect(await left()).toEqual(['c2', 'c3', 'c4']);
        expect(await storage.retention.pruneRenders(before, 2)).toBe(1);
        expect(await storage.retention.pruneRenders(before, 2)).toBe(0);
        expect(await left()).toEqual(['c3', 'c4']);

        expect(await storage.retention.pruneClicks(before, 1)).toBe(1);
        expect((await storage.renderLog.campaignReportCounts('c0'))[0]?.clicks ?? 0).toBe(0);
        expect((await storage.renderLog.campaignReportCounts('c1'))[0]?.clicks).toBe(1);
        expect(await storage.retention.pruneClicks(before, 10)).toBe(2);
        expect(await storage.retention.pruneClicks(before, 10)).toBe(0);
      });

      it('prunes locks by the time they were taken, oldest first', async () => {
        // Claimed newest first: the order of the time, not of the writes, decides.
        await storage.locks.claim([lock('s3', 'three', { lockedAt: T0 + 3 * DAY }), lock('s2', 'two', { lockedAt: T0 + 2 * DAY }), lock('s1', 'one', { lockedAt: T0 + DAY })]);
        const before = new Date(T0 + 3 * DAY);
        expect(await storage.retention.pruneBlockLocks(before, 1)).toBe(1);
        expect(await storage.locks.get('c', 'b', 's1')).toBeUndefined();
        expect(await storage.locks.get('c', 'b', 's2')).toBeDefined();
        expect(await storage.retention.pruneBlockLocks(before, 5)).toBe(1);
        expect(await storage.retention.pruneBlockLocks(before, 5)).toBe(0);
        expect(await storage.locks.get('c', 'b', 's3')).toBeDefined();
      });

      it('prunes impressions by render time, oldest first', async () => {
        await storage.impressions.record([impression('s3', 3 * DAY, ['3']), impression('s1', DAY, ['1']), impression('s2', 2 * DAY, ['2'])]);
        const before = new Date(T0 + 3 * DAY);
        expect(await storage.retention.pruneImpressions(before, 1)).toBe(1);
        expect(await storage.impressions.latest('s1', 'c', 'b')).toBeUndefined();
        expect(await storage.impressions.latest('s2', 'c', 'b')).toBeDefined();
        expect(await storage.retention.pruneImpressions(before, 5)).toBe(1);
        expect(await storage.retention.pruneImpressions(before, 5)).toBe(0);
        expect(await storage.impressions.latest('s3', 'c', 'b')).toBeDefined();
      });

      it('prunes ingested event ids by the time they arrived: a pruned id applies again, a kept one is still a duplicate', async () => {
        await storage.ingestion.upsertSubscribers([subscriber('s1')]);
        for (const n of [3, 1, 2]) await storage.ingestion.applySubscriberEvents([points(`e${n}`, 1)], { now: new Date(T0 + n * DAY) });
        const before = new Date(T0 + 3 * DAY);
        expect(await storage.retention.pruneIngestedEvents(before, 1)).toBe(1);
        const replay = await storage.ingestion.applySubscriberEvents([points('e1', 1), points('e2', 1), points('e3', 1)], { now: new Date(T0 + 4 * DAY) });
        expect(replay).toMatchObject({ applied: 1, duplicates: [{ index: 1, id: 'e2' }, { index: 2, id: 'e3' }] });
        // e1 was received again just now: inside the window, kept; e2 goes, e3 stays.
        expect(await storage.retention.pruneIngestedEvents(before, 5)).toBe(1);
        expect(await storage.retention.pruneIngestedEvents(before, 5)).toBe(0);
      });

      it('prunes cart change times by when the change happened: an older change is then no longer refused as stale', async () => {
        await storage.ingestion.upsertSubscribers([subscriber('s1')]);
        await storage.ingestion.applySubscriberEvents([cart('r1', 'removed_from_cart', 'p1', DAY), cart('r2', 'removed_from_cart', 'p2', 2 * DAY), cart('r3', 'removed_from_cart', 'p3', 3 * DAY)], { now });
        const before = new Date(T0 + 3 * DAY);
        expect(await storage.retention.pruneCartEventTimes(before, 1)).toBe(1);
        const lateAdds = await storage.ingestion.applySubscriberEvents([cart('a1', 'added_to_cart', 'p1', 0), cart('a2', 'added_to_cart', 'p2', 0)], { now });
        expect(lateAdds).toMatchObject({ applied: 1, stale: [{ index: 1, id: 'a2' }] });
        expect((await storage.catalogue.getSubscriber('s1'))?.cart).toEqual(['p1']);
      });

      it('prunes kept anonymous events by arrival and view times by when they happened, oldest first', async () => {
        await storage.ingestion.upsertSubscribers([subscriber('s1')]);
        const anonymousView = (id: string, productId: string): SubscriberEvent => ({ id, type: 'product_viewed', anonymousId: 'cookie-a1', productId, occurredAt: at(0) });
        for (const n of [2, 1, 3]) await storage.ingestion.applySubscriberEvents([anonymousView(`k${n}`, `p${n}`)], { now: new Date(T0 + n * DAY) });
        const before = new Date(T0 + 3 * DAY);
        expect(await storage.retention.pruneAnonymousEvents(before, 1)).toBe(1);
        expect(await storage.retention.pruneAnonymousEvents(before, 5)).toBe(1);
        expect(await storage.retention.pruneAnonymousEvents(before, 5)).toBe(0);
        // Only k3 is left to merge.
        await storage.ingestion.applySubscriberEvents([{ id: 'login', type: 'identify', anonymousId: 'cookie-a1', subscriberId: 's1', occurredAt: at(DAY) }], { now: before });
        expect((await storage.catalogue.getSubscriber('s1'))?.recentViews).toEqual(['p3']);

        const ownView = (id: string, productId: string, occurredAtMs: number): SubscriberEvent => ({ id, type: 'product_viewed', subscriberId: 's1', productId, occurredAt: at(occurredAtMs) });
        await storage.ingestion.applySubscriberEvents([ownView('v1', 'p1', DAY), ownView('v2', 'p2', 2 * DAY)], { now: before });
        expect(await storage.retention.pruneProfileEntryTimes(new Date(T0 + 2 * DAY), 5)).toBe(2);
        expect(await storage.retention.pruneProfileEntryTimes(new Date(T0 + 2 * DAY), 5)).toBe(0);
      });
    });

    describe('subscriber locales', () => {
      it('counts the subscribers of each locale, most first, ties by locale; another process sees the counts; a change of locale moves one', async () => {
        expect(await storage.subscriberLocales.localeCounts()).toEqual([]);
        await storage.ingestion.upsertSubscribers([
          subscriber('s1', { locale: 'de-DE' }),
          subscriber('s2', { locale: 'it-IT' }),
          subscriber('s3', { locale: 'de-DE' }),
          subscriber('s4', { locale: 'ar-EG' }),
          subscriber('s5', { locale: 'pl-PL' }),
          subscriber('s6', { locale: 'ar-EG' }),
          subscriber('s7', { locale: 'de-DE' }),
        ]);
        const expected = [
          { locale: 'de-DE', subscribers: 3 },
          { locale: 'ar-EG', subscribers: 2 },
          { locale: 'it-IT', subscribers: 1 },
          { locale: 'pl-PL', subscribers: 1 },
        ];
        expect(await storage.subscriberLocales.localeCounts()).toEqual(expected);
        expect(await (await db.openAnother()).subscriberLocales.localeCounts()).toEqual(expected);
        await storage.ingestion.upsertSubscribers([subscriber('s2', { locale: 'pl-PL', updatedAt: '2025-03-11T11:00:00.000Z' })]);
        expect(await storage.subscriberLocales.localeCounts()).toEqual([
          { locale: 'de-DE', subscribers: 3 },
          { locale: 'ar-EG', subscribers: 2 },
          { locale: 'pl-PL', subscribers: 2 },
        ]);
      });
    });

    describe('subscriber search', () => {
      it('finds by id prefix (first) or a part of the first name, ignoring case; % and _ are literal; at most the limit; another process finds a new write', async () => {
        expect(await storage.subscriberSearch.searchSubscribers('em')).toEqual([]);
        await storage.ingestion.upsertSubscribers([
          subscriber('emma-1', { firstName: 'Emma', locale: 'de-DE', timeZone: 'Europe/Berlin', country: 'DE' }),
          subscriber('noah', { firstName: 'Noah Emmerich' }),
          subscriber('a_b', { firstName: 'Yui' }),
          subscriber('axb', { firstName: '100% Oliver' }),
          subscriber('EMIL', { firstName: 'Emil' }),
        ]);
        const found = await storage.subscriberSearch.searchSubscribers('Em');
        expect(found.map(({ id }) => id)).toEqual(['EMIL', 'emma-1', 'noah']);
        expect(found[1]).toEqual({ id: 'emma-1', firstName: 'Emma', locale: 'de-DE', timeZone: 'Europe/Berlin', country: 'DE' });
        expect((await storage.subscriberSearch.searchSubscribers('a_')).map(({ id }) => id)).toEqual(['a_b']);
        expect((await storage.subscriberSearch.searchSubscribers('0%')).map(({ id }) => id)).toEqual(['axb']);
        expect(await storage.subscriberSearch.searchSubscribers('  ')).toEqual([]);
        expect(await storage.subscriberSearch.searchSubscribers('em', 1)).toHaveLength(1);
        await storage.ingestion.upsertSubscribers(Array.from({ length: 25 }, (_, i) => subscriber(`bulk-${String(i).padStart(2, '0')}`)));
        expect(await (await db.openAnother()).subscriberSearch.searchSubscribers('bulk', 500)).toHaveLength(20);
      });
    });

    describe('AMP forms: poll answers', () => {
      const vote = (subscriberId: string, answer: string, offset = 0): PollAnswer => ({ campaignId: 'c', pollId: 'style', subscriberId, answer, answeredAt: T0 + offset });

      it('records a first answer, ignores a replay, and changes or refuses a second one as told', async () => {
        expect(await storage.pollAnswers.answer(vote('s1', 'bold'), 'refuse')).toEqual({ outcome: 'recorded', answer: 'bold' });
        expect(await storage.pollAnswers.answer(vote('s1', 'bold', 1), 'refuse')).toEqual({ outcome: 'unchanged', answer: 'bold' });
        expect(await storage.pollAnswers.answer(vote('s1', 'classic', 2), 'refuse')).toEqual({ outcome: 'refused', answer: 'bold' });
        expect(await storage.pollAnswers.answer(vote('s1', 'classic', 3), 'change')).toEqual({ outcome: 'changed', answer: 'classic' });
        await storage.pollAnswers.answer(vote('s2', 'classic'), 'change');
        await storage.pollAnswers.answer(vote('s3', 'bold'), 'change');
        // Another poll and another campaign are counted apart.
        await storage.pollAnswers.answer({ ...vote('s4', 'bold'), pollId: 'other' }, 'change');
        await storage.pollAnswers.answer({ ...vote('s4', 'bold'), campaignId: 'c2' }, 'change');
        expect(await storage.pollAnswers.results('c', 'style')).toEqual({ classic: 2, bold: 1 });
        expect(await (await db.openAnother()).pollAnswers.results('c', 'style')).toEqual({ classic: 2, bold: 1 });
        expect(await storage.pollAnswers.results('c', 'nobody')).toEqual({});
      });

      it('counts one subscriber once under 50 concurrent submissions from two processes', async () => {
        const other = await db.openAnother();
        const submissions = Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? storage : other).pollAnswers.answer(vote('s1', i % 3 === 0 ? 'bold' : 'classic', i), i % 4 === 0 ? 'change' : 'refuse'),
        );
        const outcomes = await Promise.all(submissions);
        expect(outcomes.filter((result) => result.outcome === 'recorded')).toHaveLength(1);
        const results = await storage.pollAnswers.results('c', 'style');
        expect(Object.values(results).reduce((sum, count) => sum + count, 0)).toBe(1);
      });

      it('counts every subscriber exactly once when 50 of them answer at once', async () => {
        const other = await db.openAnother();
        await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? storage : other).pollAnswers.answer(vote(`s${i}`, i < 20 ? 'bold' : 'classic'), 'refuse')));
        expect(await storage.pollAnswers.results('c', 'style')).toEqual({ bold: 20, classic: 30 });
      });
    });

    describe('AMP forms: notify-me requests and the webhook outbox', () => {
      const ask = (subscriberId: string, productId: string, offset = 0) => ({ subscriberId, productId, campaignId: 'c', requestedAt: T0 + offset });

      it('stores one request per subscriber and product, and lists them', async () => {
        expect(await storage.notifyRequests.request(ask('s1', 'p1'))).toBe(true);
        expect(await (await db.openAnother()).notifyRequests.request(ask('s1', 'p1', 5))).toBe(false);
        expect(await storage.notifyRequests.request(ask('s2', 'p1', 1))).toBe(true);
        expect(await storage.notifyRequests.request(ask('s1', 'p2', 2))).toBe(true);
        expect(await storage.notifyRequests.list({ productId: 'p1', limit: 10 })).toEqual([
          { subscriberId: 's1', productId: 'p1', campaignId: 'c', requestedAt: T0, notifiedAt: null },
          { subscriberId: 's2', productId: 'p1', campaignId: 'c', requestedAt: T0 + 1, notifiedAt: null },
        ]);
        expect(await storage.notifyRequests.list({ limit: 2 })).toHaveLength(2);
      });

      it('queues one back-in-stock message per waiting request when a patch takes stock from 0 to more, once', async () => {
        await storage.ingestion.upsertProducts([product('p1', { stock: 0 }), product('p2', { stock: 0 })]);
        await storage.notifyRequests.request(ask('s1', 'p1'));
        await storage.notifyRequests.request(ask('s2', 'p1', 1));
        await storage.notifyRequests.request(ask('s3', 'p2', 2));
        const later = { ...abort, now: new Date(T0 + 60_000) };
        await storage.ingestion.applyProductPatches([{ id: 'p1', stock: 4 }], later);
        // Stock going up again, or a second process writing the same stock, announces nothing more.
        await (await db.openAnother()).ingestion.applyProductPatches([{ id: 'p1', stock: 9 }], later);
        const states = await storage.webhookOutbox.states(10);
        expect(states.map((state) => state.eventId)).toEqual([
          `product.back_in_stock:p1:s1:${T0}`,
          `product.back_in_stock:p1:s2:${T0 + 1}`,
        ]);
        expect(await storage.notifyRequests.list({ productId: 'p1', waiting: true, limit: 10 })).toEqual([]);
        expect((await storage.notifyRequests.list({ productId: 'p1', limit: 10 }))[0]?.notifiedAt).toBe(T0 + 60_000);
        expect(await storage.notifyRequests.list({ waiting: true, limit: 10 })).toEqual([{ ...ask('s3', 'p2', 2), notifiedAt: null }]);
        const [message] = await storage.webhookOutbox.claimDue(T0 + 60_000, 1000, 1);
        expect(JSON.parse(message?.body ?? '{}')).toMatchObject({ type: 'product.back_in_stock', subscriberId: 's1', campaignId: 'c', product: { id: 'p1', stock: 4 } });
        // A request made again after it was answered waits for the next restock.
        expect(await storage.notifyRequests.request(ask('s1', 'p1', 70_000))).toBe(true);
      });

      it('hands a due message to one claimer at a time, retries it after a failure, and never again once delivered', async () => {
        await storage.ingestion.upsertProducts([product('p1', { stock: 0 })]);
        await storage.notifyRequests.request(ask('s1', 'p1'));
        await storage.ingestion.applyProductPatches([{ id: 'p1', stock: 1 }], abort);
        const other = await db.openAnother();
        const [first, second] = await Promise.all([storage.webhookOutbox.claimDue(T0, 30_000, 10), other.webhookOutbox.claimDue(T0, 30_000, 10)]);
        expect([...(first ?? []), ...(second ?? [])]).toHaveLength(1);
        const message = [...(first ?? []), ...(second ?? [])][0] as OutboxMessage;
        expect(message.attempts).toBe(0);
        await storage.webhookOutbox.failed(message.id, T0 + 10, 'HTTP 503', T0 + 5_000);
        expect(await storage.webhookOutbox.claimDue(T0 + 4_999, 30_000, 10)).toEqual([]);
        const [retry] = await other.webhookOutbox.claimDue(T0 + 5_000, 30_000, 10);
        expect(retry).toMatchObject({ id: message.id, attempts: 1 });
        await storage.webhookOutbox.delivered(message.id, T0 + 5_100);
        expect(await storage.webhookOutbox.claimDue(T0 + 999_999, 30_000, 10)).toEqual([]);
        expect(await storage.webhookOutbox.states(10)).toEqual([
          { eventId: message.eventId, type: 'product.back_in_stock', attempts: 2, nextAttemptAt: T0 + 35_000, deliveredAt: T0 + 5_100, gaveUpAt: null, lastError: null },
        ]);
      });

      it('retention prunes delivered and abandoned messages settled before the cut-off, oldest queued first, never one still to deliver', async () => {
        await storage.ingestion.upsertProducts([product('p1', { stock: 0 })]);
        for (const [n, subscriberId] of ['s1', 's2', 's3', 's4', 's5'].entries()) await storage.notifyRequests.request(ask(subscriberId, 'p1', n));
        await storage.ingestion.applyProductPatches([{ id: 'p1', stock: 5 }], abort);
        const queued = await storage.webhookOutbox.claimDue(T0 + 10 * DAY, 1000, 10);
        const [s1, s2, s3, s4] = queued.map((message) => message.id) as [number, number, number, number, number];
        await storage.webhookOutbox.delivered(s1, T0 + DAY);
        await storage.webhookOutbox.failed(s2, T0 + 2 * DAY, 'HTTP 500', null); // given up
        await storage.webhookOutbox.delivered(s3, T0 + 4 * DAY); // settled inside the window
        await storage.webhookOutbox.failed(s4, T0, 'HTTP 503', T0 + 20 * DAY); // still retrying, queued long ago
        // s5: never attempted.
        const before = new Date(T0 + 3 * DAY);
        const left = async () => (await storage.webhookOutbox.states(10)).map((state) => state.eventId.split(':')[2]);
        expect(await storage.retention.pruneSettledWebhooks(before, 0)).toBe(0);
        expect(await storage.retention.pruneSettledWebhooks(before, 1)).toBe(1);
        expect(await left()).toEqual(['s2', 's3', 's4', 's5']);
        expect(await storage.retention.pruneSettledWebhooks(before, 5)).toBe(1);
        expect(await storage.retention.pruneSettledWebhooks(before, 5)).toBe(0);
        expect(await left()).toEqual(['s3', 's4', 's5']);
        // The ones left are still delivered as before.
        const due = (await storage.webhookOutbox.claimDue(T0 + 20 * DAY, 1000, 10)).map((message) => message.id);
        expect(due.sort((a, b) => a - b)).toEqual([s4, queued[4]?.id]);
      });
    });

    describe('triggered sends: the job queue', () => {
      const job = (id: string, over: Partial<TriggerJob> = {}): Omit<TriggerJob, 'attempts'> => ({
        id,
        triggerId: 'cart',
        subscriberId: 's1',
        productId: 'p1',
        campaignId: 'flash-sale',
        template: 'flash-sale',
        dedupeKey: `cart/s1/${over.productId ?? 'p1'}`,
        sourceAt: T0,
        runAt: T0 + 1_800_000,
        createdAt: T0,
        ...over,
      });
      const enqueue = (...jobs: Omit<TriggerJob, 'attempts'>[]): TriggerJobOp[] => jobs.map((entry) => ({ op: 'enqueue' as const, job: entry }));

      it('enqueues once per id and one pending job per dedupe key; a cancel settles the matching pending jobs in order', async () => {
        expect(await storage.triggerJobs.apply(enqueue(job('cart:e1'), job('cart:e1'), job('cart:e2'), job('cart:e3', { productId: 'p2', dedupeKey: 'cart/s1/p2' })))).toEqual({
          enqueued: ['cart:e1', 'cart:e3'],
          cancelled: 0,
        });
        const cancel = (productIds: string[] | null, causedUpTo: number, subscriberId = 's1'): TriggerJobOp => ({ op: 'cancel', subscriberId, triggerIds: ['cart'], productIds, causedUpTo, at: T0 + 5, reason: 'purchased' });
        // A purchase older than the jobs' events cancels nothing; one of p1 cancels p1's job only.
        expect(await storage.triggerJobs.apply([cancel(['p1'], T0 - 1)])).toEqual({ enqueued: [], cancelled: 0 });
        expect(await storage.triggerJobs.apply([cancel(['p1'], T0)])).toEqual({ enqueued: [], cancelled: 1 });
        expect(await storage.triggerJobs.get('cart:e1')).toMatchObject({ state: 'cancelled', settledAt: T0 + 5, outcome: 'purchased' });
        expect(await storage.triggerJobs.get('cart:e3')).toMatchObject({ state: 'pending' });
        // Once nothing is pending under the key, a new event queues again; a replay of the cancelled one does not.
        expect((await storage.triggerJobs.apply(enqueue(job('cart:e1'), job('cart:e4')))).enqueued).toEqual(['cart:e4']);
        // Within one batch, steps apply in order: enqueued, then cancelled by every product (null).
        const other = await db.openAnother();
        expect(await other.triggerJobs.apply([...enqueue(job('cart:e5', { subscriberId: 's2', dedupeKey: 'cart/s2/p1' })), cancel(null, T0, 's2')])).toEqual({
          enqueued: ['cart:e5'],
          cancelled: 1,
        });
        await other.close();
      });

      it('hands a due job to one claimer at a time, retries with backoff, buries it after the last attempt, and retries a dead letter on request', async () => {
        await storage.triggerJobs.apply(enqueue(job('cart:e1'), job('cart:e2', { productId: 'p2', dedupeKey: 'cart/s1/p2', runAt: T0 + 3_600_000 })));
        expect(await storage.triggerJobs.claimDue(T0 + 1_799_999, 60_000, 10)).toEqual([]);
        const other = await db.openAnother();
        const [first, second] = await Promise.all([storage.triggerJobs.claimDue(T0 + 1_800_000, 60_000, 10), other.triggerJobs.claimDue(T0 + 1_800_000, 60_000, 10)]);
        const claimed = [...(first ?? []), ...(second ?? [])];
        expect(claimed.map((entry) => entry.id)).toEqual(['cart:e1']);
        expect(claimed[0]).toMatchObject({ subscriberId: 's1', productId: 'p1', attempts: 0, sourceAt: T0 });
        // Leased: not handed out again until the lease ends.
        expect(await other.triggerJobs.claimDue(T0 + 1_859_999, 60_000, 10)).toEqual([]);
        await storage.triggerJobs.failed('cart:e1', T0 + 1_800_010, 'HTTP 503', T0 + 1_900_000);
        expect(await storage.triggerJobs.get('cart:e1')).toMatchObject({ state: 'pending', attempts: 1, runAt: T0 + 1_900_000, lastError: 'HTTP 503' });
        const [again] = await other.triggerJobs.claimDue(T0 + 1_900_000, 60_000, 10);
        expect(again).toMatchObject({ id: 'cart:e1', attempts: 1 });
        await other.triggerJobs.failed('cart:e1', T0 + 1_900_010, 'HTTP 503', null);
        expect(await storage.triggerJobs.list('dead', 10)).toEqual([expect.objectContaining({ id: 'cart:e1', state: 'dead', attempts: 2, settledAt: T0 + 1_900_010 })]);
        expect(await storage.triggerJobs.claimDue(T0 + 99_999_999, 60_000, 10).then((jobs) => jobs.map((entry) => entry.id))).toEqual(['cart:e2']);

        expect(await storage.triggerJobs.retry('cart:e2', T0)).toBe(false); // not dead
        expect(await other.triggerJobs.retry('cart:e1', T0 + 2_000_000)).toBe(true);
        const [revived] = await storage.triggerJobs.claimDue(T0 + 2_000_000, 60_000, 10);
        expect(revived).toMatchObject({ id: 'cart:e1' });
        await storage.triggerJobs.settle('cart:e1', 'sent', T0 + 2_000_001, '250 OK', 'the message');
        await storage.triggerJobs.settle('cart:e2', 'suppressed', T0 + 2_000_002, 'frequency cap');
        expect(await storage.triggerJobs.claimDue(T0 + 999_999_999, 60_000, 10)).toEqual([]);
        expect(await other.triggerJobs.get('cart:e1')).toMatchObject({ state: 'sent', outcome: '250 OK', message: 'the message', lastError: null });
        expect(await other.triggerJobs.sentSince('s1', 'cart', T0 + 2_000_001)).toBe(1);
        expect(await other.triggerJobs.sentSince('s1', 'cart', T0 + 2_000_002)).toBe(0);
        expect(await other.triggerJobs.sentSince('s2', 'cart', 0)).toBe(0);
        await other.close();
      });

      it('retention deletes settled jobs oldest first, at most limit a call, never a pending job or a dead letter', async () => {
        await storage.triggerJobs.apply(enqueue(...['a', 'b', 'c', 'd', 'e'].map((id) => job(`cart:${id}`, { productId: id, dedupeKey: `cart/s1/${id}`, runAt: T0 }))));
        await storage.triggerJobs.claimDue(T0, 1000, 10);
        await storage.triggerJobs.settle('cart:a', 'sent', T0 + 1, '250 OK');
        await storage.triggerJobs.settle('cart:b', 'cancelled', T0 + 2, 'purchased');
        await storage.triggerJobs.settle('cart:c', 'suppressed', T0 + 3, 'frequency cap');
        await storage.triggerJobs.failed('cart:d', T0 + 4, 'HTTP 500', null);
        expect(await storage.triggerJobs.pruneSettled(T0 + 3, 0)).toBe(0);
        expect(await storage.triggerJobs.pruneSettled(T0 + 3, 1)).toBe(1);
        expect(await storage.triggerJobs.get('cart:a')).toBeUndefined();
        expect(await storage.triggerJobs.pruneSettled(T0 + 100, 10)).toBe(2);
        expect(await storage.triggerJobs.get('cart:d')).toMatchObject({ state: 'dead' });
        expect(await storage.triggerJobs.get('cart:e')).toMatchObject({ state: 'pending' });
      });
    });

    describe('the database', () => {
      it('answers ping while open; close is idempotent, and nothing answers after it', async () => {
        await expect(storage.ping()).resolves.toBeUndefined();
        await storage.close();
        await storage.close();
        await expect(storage.ping()).rejects.toBeDefined();
      });
    });
  });
}
