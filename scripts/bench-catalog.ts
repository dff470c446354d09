import type { Product } from '../src/data/model';
import { DEMO_CATEGORIES, DEMO_PRODUCT_IDS } from '../src/data/demo-data';
import type { Ingestion } from '../src/storage/ports/ingestion';

/**
 * Grows a catalogue to `total` products with the demo categories and a long
 * tail of popularity, so best-seller indexes work as they would for a real
 * shop. Deterministic: the same total gives the same catalogue. Pictures are
 * the demo products' (drawn by the server under `publicUrl`): a picture the
 * server could not load would draw a placeholder, re-rendered every 10 s,
 * and skew the cached-image figures.
 */
export async function growCatalog(ingestion: Pick<Ingestion, 'countProducts' | 'upsertProducts'>, total: number, now: Date, publicUrl: string): Promise<void> {
  const pictures = Object.values(DEMO_PRODUCT_IDS).map((id) => `${publicUrl}/demo/products/${id}.png`);
  const existing = await ingestion.countProducts();
  const batchSize = 10_000;
  for (let start = existing; start < total; start += batchSize) {
    const batch: Product[] = [];
    for (let i = start; i < Math.min(total, start + batchSize); i++) {
      const category = DEMO_CATEGORIES[i % DEMO_CATEGORIES.length] as string;
      batch.push({
        id: `bench-${i}`,
        name: `Bench product ${i}`,
        url: `https://shop.example/products/bench-${i}`,
        image: pictures[i % pictures.length] as string,
        category,
        price: 20 + (i % 300),
        salePrice: i % 7 === 0 ? 15 + (i % 250) : null,
        currency: 'EUR',
        // The bench subscribers shop in EUR, GBP and USD: a product without their currency is never shown to them.
        prices: { GBP: { price: 18 + (i % 270), salePrice: null }, USD: { price: 22 + (i % 330), salePrice: null } },
        markets: [],
        stock: i % 11 === 0 ? 0 : (i * 7) % 90,
        // Few hits, many misses: most products sell rarely.
        popularity: Math.floor(1000 / (1 + (i % 997))),
        updatedAt: now.toISOString(),
      });
    }
    await ingestion.upsertProducts(batch);
  }
}
