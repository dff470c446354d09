import type { Product } from '../../src/data/model';
import { CachedCatalogue } from '../../src/storage/cache/cached-catalogue';
import type { CatalogueReader } from '../../src/storage/ports/catalogue-reader';
import { product } from './contract';

/**
 * The catalogue cache beyond the contract it passes in front of SQLite
 * (sqlite.contract.test.ts): concurrent misses share one read, and a read
 * that was running when its record was written is not cached.
 */

/** A catalogue whose reads see the records as they are when asked, and answer when the test releases them (newest first). */
function slowCatalogue(records: Map<string, Product>) {
  const asked: string[][] = [];
  const waiting: (() => void)[] = [];
  const answer = <T>(ids: string[], value: () => T): Promise<T> =>
    new Promise((resolve) => {
      asked.push(ids);
      const seen = value();
      waiting.push(() => resolve(seen));
    });
  const catalogue: CatalogueReader = {
    getProduct: (id) => answer([id], () => records.get(id)),
    getProducts: (ids) => answer([...ids], () => ids.flatMap((id) => records.get(id) ?? [])),
    bestSellersInCategory: async () => [],
    bestSellers: async () => [],
    getSubscriber: async () => undefined,
    getCampaign: async () => undefined,
  };
  return {
    catalogue,
    asked,
    release(): void {
      for (const resolve of waiting.splice(0).reverse()) resolve();
    },
  };
}

const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('CachedCatalogue', () => {
  test('concurrent misses of one product share one read', async () => {
    const slow = slowCatalogue(new Map([['a', product('a')]]));
    const cache = new CachedCatalogue(slow.catalogue, { freshnessMs: 60_000 });
    const reads = [cache.getProduct('a'), cache.getProduct('a'), cache.getProduct('a')];
    await settled();
    slow.release();
    expect(await Promise.all(reads)).toEqual([product('a'), product('a'), product('a')]);
    expect(slow.asked).toEqual([['a']]);
    expect(await cache.getProduct('a')).toEqual(product('a'));
    expect(slow.asked).toHaveLength(1);
    expect(cache.stats().products).toEqual({ hits: 1, misses: 3 });
  });

  test('a list read asks once for the ids nobody is reading, and joins the reads already running', async () => {
    const slow = slowCatalogue(new Map(['a', 'b', 'c'].map((id) => [id, product(id)])));
    const cache = new CachedCatalogue(slow.catalogue, { freshnessMs: 60_000 });
    const single = cache.getProduct('b');
    const list = cache.getProducts(['a', 'b', 'c', 'missing', 'a']);
    await settled();
    slow.release();
    expect((await list).map((p) => p.id)).toEqual(['a', 'b', 'c']);
    expect(await single).toEqual(product('b'));
    expect(slow.asked).toEqual([['b'], ['a', 'c', 'missing']]);
  });

  test('a read running when its record is written is not cached: the next open reads the new value', async () => {
    const records = new Map([['a', product('a', { stock: 5 })]]);
    const slow = slowCatalogue(records);
    const cache = new CachedCatalogue(slow.catalogue, { freshnessMs: 60_000 });
    const before = cache.getProduct('a');
    await settled();
    // The write commits while the read is out, then drops the cache entry (InvalidatingIngestion does this).
    records.set('a', product('a', { stock: 0 }));
    cache.invalidateProducts(['a']);
    const after = cache.getProduct('a'); // does not join the stale read
    await settled();
    slow.release(); // the fresh read answers first, the stale one last
    expect((await before)?.stock).toBe(5);
    expect((await after)?.stock).toBe(0);
    // Cached is the fresh answer, not the stale one that came back after it.
    expect((await cache.getProduct('a'))?.stock).toBe(0);
    expect(slow.asked).toHaveLength(2);
  });
});
