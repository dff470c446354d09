import BetterSqlite3 from 'better-sqlite3';
import { SqliteIngest, type RecordAccess } from '../src/data/ingest-sqlite';
import { migrate } from '../src/data/migrations';
import type { Product, Subscriber } from '../src/data/model';
import { newSubscriber } from '../src/data/patches';

/**
 * A batch is one transaction: its effects and the record of its event ids
 * commit together or not at all. Here the profile write fails half-way; the
 * event ids must not be recorded, so the sender's retry applies them.
 */
describe('ingestion transactions', () => {
  function setUp(failWrites: { subscriber: boolean; product: boolean }) {
    const db = new BetterSqlite3(':memory:');
    migrate(db);
    const subscribers = new Map<string, Subscriber>([['s1', newSubscriber('s1', '2026-01-01T00:00:00.000Z')]]);
    const products = new Map<string, Product>();
    // Writes go to a table too, so a rollback is visible in SQL, not just in a Map.
    db.exec('CREATE TABLE written (id TEXT)');
    const record = db.prepare('INSERT INTO written (id) VALUES (?)');
    const access: RecordAccess = {
      readProduct: (id) => products.get(id),
      writeProduct: (product) => {
        record.run(product.id);
        if (failWrites.product && product.id === 'b') throw new Error('disk full');
      },
      readSubscriber: (id) => subscribers.get(id),
      writeSubscriber: (subscriber) => {
        record.run(subscriber.id);
        if (failWrites.subscriber) throw new Error('disk full');
        subscribers.set(subscriber.id, subscriber);
      },
    };
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return { db, ingest: new SqliteIngest(db, access), subscribers, count };
  }

  const points = { id: 'e-1', type: 'points_changed' as const, subscriberId: 's1', occurredAt: '2026-11-22T09:00:00Z', delta: 10 };

  test('a failed event batch records no event id, so the retry applies it once', () => {
    const failing = { subscriber: true, product: false };
    const { ingest, subscribers, count } = setUp(failing);
    expect(() => ingest.applySubscriberEvents([points], new Date())).toThrow('disk full');
    expect(count('SELECT COUNT(*) AS n FROM ingested_events')).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM written')).toBe(0);

    failing.subscriber = false;
    expect(ingest.applySubscriberEvents([points], new Date())).toEqual({ applied: 1, duplicates: [], stale: [] });
    expect(ingest.applySubscriberEvents([points], new Date())).toEqual({ applied: 0, duplicates: [{ index: 0, id: 'e-1' }], stale: [] });
    expect(subscribers.get('s1')?.loyaltyPoints).toBe(10);
    expect(count('SELECT COUNT(*) AS n FROM ingested_events')).toBe(1);
  });

  test('a product batch that fails on its last row leaves no row written', () => {
    const { ingest, count } = setUp({ subscriber: false, product: true });
    const product = (id: string) => ({ id, name: id, url: 'https://x.example/p', image: 'https://x.example/i.png', category: 'c', price: 1, currency: 'EUR', stock: 1 });
    expect(() => ingest.applyProductPatches([product('a'), product('b')], new Date(), 'abort')).toThrow('disk full');
    expect(count('SELECT COUNT(*) AS n FROM written')).toBe(0);
  });
});
