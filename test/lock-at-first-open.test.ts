import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { parseBlocksConfig } from '../src/blocks/blocks-config';
import { markFrozenView } from '../src/blocks/lock-marks';
import type { RecommendationsView } from '../src/kinds/recommendations';
import { blockKinds, type BlockView } from '../src/kinds/registry';
import type { ProductCardView } from '../src/kinds/shared/product-card';
import type { Product } from '../src/data/model';
import { BlockLocks } from '../src/recording/block-locks';
import { buildFacts } from '../src/rules/facts';
import { buildOpen } from '../src/open/open';
import type { BlockLockStore, FrozenView } from '../src/storage/ports/block-locks';
import type { CatalogueReader } from '../src/storage/ports/catalogue-reader';
import { openSqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import { createRecordingApp, MPP, NOW, renderRows, type RecordingApp } from './helpers/recording-app';

const LOCK_BLOCKS = `
blocks:
  - id: picks
    kind: recommendations
    count: 4
    defaultUrl: https://shop.example/new
    lockAtFirstOpen: true
  - id: picks-live
    kind: recommendations
    count: 4
    defaultUrl: https://shop.example/new
  - id: hero
    kind: product
    productId: quilted-jacket-olive
    defaultUrl: https://shop.example/sale
    translations: { de: { badgeSoldOut: "Ausverkauft" } }
    lockAtFirstOpen:
      marks:
        - when: { "<=": [{ var: product.stock }, 0] }
          badge: { text: badgeSoldOut, tone: danger }
          stockState: sold_out
        - when: { "!": { var: product.onSale } }
          badge: null
  - id: hero-test
    kind: product
    productId: quilted-jacket-olive
    defaultUrl: https://shop.example/sale
    lockAtFirstOpen: true
    experiment:
      id: hero-words
      variants:
        - name: plain-words
          weight: 1
          override:
            messages: { badgeSoldOut: "Gone for now" }
`;

/** Products none of the demo subscribers has seen: a history of these changes what live picks show. */
const COATS = ['wool-overcoat-camel', 'peacoat-navy', 'wrap-coat-grey', 'rain-jacket-yellow'];

let fx: RecordingApp;
beforeEach(async () => {
  fx = await createRecordingApp({ blocksYaml: LOCK_BLOCKS });
});
afterEach(() => fx.close());

async function changeHistory(subscriberId: string, cart: string[]): Promise<void> {
  const subscriber = await fx.storage.catalogue.getSubscriber(subscriberId);
  await fx.storage.ingestion.upsertSubscribers([{ ...subscriber!, cart, recentViews: [] }]);
}

async function setProduct(id: string, change: Partial<Product>): Promise<void> {
  const product = await fx.storage.catalogue.getProduct(id);
  await fx.storage.ingestion.upsertProducts([{ ...product!, ...change }]);
}

const ids = (view: Record<string, any>): string[] => (view.products as { id: string }[]).map((product) => product.id);

describe('lock at first open', () => {
  test('serves the view of the first human open after the data changed, in JSON and image alike', async () => {
    const first = await fx.json('picks', 'sub-emma');
    const firstPicture = await fx.image('picks', 'sub-emma');
    expect(fx.drawn.at(-1)).toEqual(first);

    // The data moves on: new history, a new price for a product that was shown.
    await changeHistory('sub-emma', COATS);
    const shownId = ids(first)[0] as string;
    await setProduct(shownId, { price: 999, salePrice: 1 });
    fx.clock.now = new Date(NOW.getTime() + 3 * 86_400_000);

    const live = await fx.json('picks-live', 'sub-emma');
    expect(ids(live)).toEqual(COATS); // what an unlocked block now shows
    expect(await fx.json('picks', 'sub-emma')).toEqual(first); // exactly the first view, old price and all
    const later = await fx.image('picks', 'sub-emma');
    expect(later.headers.etag).toBe(firstPicture.headers.etag); // the same picture

    // And after the locks were written and re-read from the database (a restart).
    await fx.flush();
    const restarted = new BlockLocks(fx.storage.locks);
    expect((await restarted.find('flash-sale', 'picks', 'sub-emma'))?.view).toEqual(first);
  });

  test('marks what must stay true on the frozen view: sold out since, on both surfaces', async () => {
    const first = await fx.json('picks', 'sub-emma');
    const soldOutId = ids(first)[1] as string;
    await setProduct(soldOutId, { stock: 0 });

    const marked = await fx.json('picks', 'sub-emma');
    const expected = structuredClone(first);
    expected.products[1].badge = { text: 'Sold out', tone: 'danger' };
    expected.products[1].stockState = 'sold_out';
    expect(marked).toEqual(expected); // only the badge and the state changed: same slot, name, price, link

    await fx.image('picks', 'sub-emma');
    expect(fx.drawn.at(-1)).toEqual(expected);
  });

  test('a mark can take a frozen badge away (the sale ended) and uses the subscriber\'s language', async () => {
    const first = await fx.json('hero', 'sub-lena'); // de-DE
    expect(first.product.badge).toMatchObject({ tone: 'success' }); // the sale badge
    await setProduct('quilted-jacket-olive', { salePrice: null });
    expect((await fx.json('hero', 'sub-lena')).product.badge).toBeNull();
    await setProduct('quilted-jacket-olive', { stock: 0 });
    const soldOut = await fx.json('hero', 'sub-lena');
    expect(soldOut.product).toEqual({ ...first.product, badge: { text: 'Ausverkauft', tone: 'danger' }, stockState: 'sold_out' });
  });

  test('marks on a view frozen in an experiment arm speak with that arm\'s messages', async () => {
    const first = await fx.json('hero-test', 'sub-emma');
    await setProduct('quilted-jacket-olive', { stock: 0 });
    const marked = await fx.json('hero-test', 'sub-emma');
    expect(marked.product).toEqual({ ...first.product, badge: { text: 'Gone for now', tone: 'danger' }, stockState: 'sold_out' });
  });

  test('does not lock on an Apple Mail Privacy Protection prefetch; the first human open locks', async () => {
    const prefetched = await fx.image('picks', 'sub-emma', { userAgent: MPP.userAgent, address: MPP.address });
    await fx.flush();
    expect(await fx.storage.locks.get('flash-sale', 'picks', 'sub-emma')).toBeUndefined();

    await changeHistory('sub-emma', COATS);
    const human = await fx.json('picks', 'sub-emma');
    expect(ids(human)).toEqual(COATS); // resolved live at the human open, not the prefetch's picks
    await fx.flush();
    expect((await fx.storage.locks.get('flash-sale', 'picks', 'sub-emma'))?.view).toEqual(human);

    // From now on every fetch, a later prefetch included, gets the frozen view.
    await changeHistory('sub-emma', ['merino-crew-navy']);
    const again = await fx.image('picks', 'sub-emma', { userAgent: MPP.userAgent, address: MPP.address });
    expect(again.headers.etag).not.toBe(prefetched.headers.etag);
    expect(fx.drawn.at(-1)).toEqual(human);

    await fx.flush();
    expect(renderRows(fx).map((row) => [row.surface, row.client, row.locked])).toEqual([
      ['image', 'apple-prefetch', 0],
      ['json', 'amp', 1],
      ['image', 'apple-prefetch', 1],
    ]);
  });

  test('a first human open on the image locks for the JSON too', async () => {
    await fx.image('picks', 'sub-oliver');
    const drawn = fx.drawn.at(-1);
    await changeHistory('sub-oliver', COATS);
    expect(await fx.json('picks', 'sub-oliver')).toEqual(drawn);
  });

  test('a click before any render (the text part) locks what it opened; the pictures opened later show it in that slot', async () => {
    const click = await request(fx.app).get(`/c/v1/blocks/picks/2?t=${fx.token('sub-emma')}`);
    expect(click.status).toBe(302);
    await changeHistory('sub-emma', COATS);
    const later = await fx.json('picks', 'sub-emma');
    expect(ids(later)).not.toEqual(COATS); // frozen at the click, not resolved live now
    expect(later.products[2].url).toBe(click.headers.location);
    await fx.image('picks', 'sub-emma');
    expect(fx.drawn.at(-1)).toEqual(later);
  });

  test('locks are per campaign: the next campaign starts fresh', async () => {
    const flash = await fx.json('picks', 'sub-emma', 'flash-sale');
    await changeHistory('sub-emma', COATS);
    expect(await fx.json('picks', 'sub-emma', 'flash-sale')).toEqual(flash);
    expect(ids(await fx.json('picks', 'sub-emma', 'spring-sale'))).toEqual(COATS);
  });
});

describe('BlockLocks', () => {
  const view = (name: string): BlockView => ({ ...blockKinds.loyalty.samples[0].view, greeting: name });
  const lock = (name: string): FrozenView => ({ campaignId: 'c', blockId: 'b', subscriberId: 's', view: view(name), variant: null, messageVariant: null, lockedAt: 1 });

  function memoryStore(options: { existing?: FrozenView; failures?: number } = {}): BlockLockStore & { written: FrozenView[]; claimCalls: number } {
    const written: FrozenView[] = [];
    let failures = options.failures ?? 0;
    const store = {
      written,
      claimCalls: 0,
      get: async () => options.existing ?? written[0],
      claim: async (locks: readonly FrozenView[]) => {
        store.claimCalls++;
        if (failures-- > 0) throw new Error('database is locked');
        return locks.map((candidate) => (options.existing || written.length > 0 ? false : (written.push(candidate), true)));
      },
    };
    return store;
  }

  test('the first claim wins; later claims get it back; one row is written', async () => {
    const store = memoryStore();
    const locks = new BlockLocks(store);
    const first = locks.claim(lock('first'));
    const second = locks.claim(lock('second'));
    expect((await locks.find('c', 'b', 's'))?.view).toEqual(view('first')); // seen while its claim is being written
    expect((await first)?.view).toEqual(view('first'));
    expect((await second)?.view).toEqual(view('first'));
    await locks.close();
    expect(store.written.map((written) => written.view)).toEqual([view('first')]);
    expect(store.claimCalls).toBe(1); // the second claim joined the first's write
    expect(locks.stats()).toMatchObject({ written: 1, pending: 0 });
  });

  test('a lock another process wrote first wins: the claim returns it, from this very open', async () => {
    const store = memoryStore({ existing: lock('theirs') });
    const locks = new BlockLocks(store);
    expect((await locks.claim(lock('ours')))?.view).toEqual(view('theirs'));
    expect(locks.stats().lostRaces).toBe(1);
    expect((await locks.find('c', 'b', 's'))?.view).toEqual(view('theirs'));
  });

  test('a claim that cannot be written serves nothing locked; the next open claims again', async () => {
    const store = memoryStore({ failures: 1 });
    const locks = new BlockLocks(store, { logger: { warn: () => undefined, error: () => undefined } });
    expect(await locks.claim(lock('first'))).toBeUndefined();
    expect(locks.stats()).toMatchObject({ dropped: 1, written: 0 });
    expect((await locks.claim(lock('second')))?.view).toEqual(view('second'));
    expect(await locks.find('c', 'b', 's')).toEqual(lock('second'));
  });

  test('two processes on one database claiming at once both serve the one winner', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-locks-'));
    const databases = [openSqliteStorage(path.join(dir, 'opentime.db')), openSqliteStorage(path.join(dir, 'opentime.db'))];
    try {
      const [a, b] = databases.map((database) => new BlockLocks(database.locks)) as [BlockLocks, BlockLocks];
      const subscribers = Array.from({ length: 30 }, (_, n) => `s${n}`);
      const claims = subscribers.flatMap((subscriberId) => [
        a.claim({ ...lock(`A-${subscriberId}`), subscriberId }),
        b.claim({ ...lock(`B-${subscriberId}`), subscriberId }),
      ]);
      const served = await Promise.all(claims);
      subscribers.forEach((subscriberId, n) => {
        const [fromA, fromB] = [served[2 * n], served[2 * n + 1]];
        expect(fromA).toBeDefined();
        expect(fromB).toEqual(fromA);
      });
      expect(a.stats().written + b.stats().written).toBe(subscribers.length);
      expect(a.stats().lostRaces + b.stats().lostRaces).toBe(subscribers.length);
    } finally {
      for (const database of databases) await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('marks on a frozen view', () => {
  test('a product gone from the catalogue counts as sold out', async () => {
    const block = parseBlocksConfig(LOCK_BLOCKS, 'test').get('picks')!;
    const card: ProductCardView = { id: 'gone', name: 'Gone', url: 'https://shop.example/gone', image: '', category: 'coats', price: '€1', originalPrice: null, discount: null, onSale: false, stockState: 'in_stock', badge: null };
    const frozen: RecommendationsView = { kind: 'recommendations', title: 't', products: [card], sources: ['history'], cta: { label: 'x', url: 'y' } };
    const open = buildOpen({ now: NOW, subscriber: null, campaign: null, client: 'amp' });
    const store = { getProducts: async () => [] } as unknown as CatalogueReader;
    const marked = await markFrozenView(frozen, block.lock!, { store, facts: buildFacts(open), message: () => (key) => (key === 'badgeSoldOut' ? 'Sold out' : key) });
    expect(marked).toEqual({ ...frozen, products: [{ ...card, badge: { text: 'Sold out', tone: 'danger' }, stockState: 'sold_out' }] });
  });

  test('nothing to mark: the very same object, so the picture stays cached', async () => {
    const block = parseBlocksConfig(LOCK_BLOCKS, 'test').get('picks')!;
    const sample = blockKinds.recommendations.samples[0].view;
    const frozen: RecommendationsView = { ...sample, products: sample.products.slice(0, 1).map((card) => ({ ...card, id: 'merino-crew-navy' })) };
    const product = { id: 'merino-crew-navy', stock: 10, price: 1, salePrice: null } as unknown as Product;
    const store = { getProducts: async () => [product] } as unknown as CatalogueReader;
    const open = buildOpen({ now: NOW, subscriber: null, campaign: null, client: 'amp' });
    expect(await markFrozenView(frozen, block.lock!, { store, facts: buildFacts(open), message: () => (key) => key })).toBe(frozen);
  });
});

describe('lock config', () => {
  test.each([
    ['a countdown', 'kind: countdown\n    lockAtFirstOpen: true', /a countdown cannot be locked/],
    ['marks on a loyalty block', 'kind: loyalty\n    lockAtFirstOpen: { marks: [{ when: true, badge: null }] }', /marks apply to product cards and a loyalty block has none/],
    ['a mark with a bad rule', 'kind: product\n    productId: x\n    lockAtFirstOpen: { marks: [{ when: { "<==": [1, 2] } }] }', /lockAtFirstOpen\.marks\[0\]\.when: unknown JSON Logic operator "<=="/],
  ])('refuses %s, saying what was expected', (_name, options, message) => {
    expect(() => parseBlocksConfig(`blocks:\n  - id: b\n    defaultUrl: https://shop.example/\n    ${options}\n`, 'test')).toThrow(message);
  });

  test('true gives product blocks the sold-out mark; false or absent, no lock', () => {
    const blocks = parseBlocksConfig(
      'blocks:\n  - { id: a, kind: product, productId: x, defaultUrl: "https://shop.example/", lockAtFirstOpen: true }\n' +
        '  - { id: b, kind: product, productId: x, defaultUrl: "https://shop.example/", lockAtFirstOpen: false }\n' +
        '  - { id: c, kind: loyalty, defaultUrl: "https://shop.example/", lockAtFirstOpen: true }\n',
      'test',
    );
    expect(blocks.get('a')?.lock?.marks).toHaveLength(1);
    expect(blocks.get('a')?.lock?.marks[0]).toMatchObject({ badge: { text: 'badgeSoldOut', tone: 'danger' }, stockState: 'sold_out' });
    expect(blocks.get('b')?.lock).toBeNull();
    expect(blocks.get('c')?.lock?.marks).toEqual([]);
  });
});
