import { Client } from 'pg';
import type { Product } from '../../src/data/model';
import type { SubscriberEvent } from '../../src/data/subscriber-events';
import type { BlockView } from '../../src/kinds/registry';
import { DatabaseUnreachableError, openStorage } from '../../src/storage/open-storage';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/storage/postgres/migrations';
import { CATALOGUE_SQL } from '../../src/storage/postgres/postgres-records';
import { openPostgresStorage, type PostgresStorage } from '../../src/storage/postgres/postgres-storage';
import type { FrozenView } from '../../src/storage/ports/block-locks';
import type { Impression } from '../../src/storage/ports/impressions';
import { startupFailureMessage } from '../../src/startup-failure';
import { product, subscriber } from '../storage/contract';
import { createTestDatabase, dropMigratedTemplate, urlOf, type TestDatabase } from './helpers/test-databases';

/**
 * What only PostgreSQL can get wrong, beside the contract every database
 * passes (postgres.contract.test.ts): migrations racing on one database,
 * read-only opening, races between pools that SELECT … FOR UPDATE cannot
 * see (rows that do not exist yet), lock order, query plans.
 */

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const now = new Date(T0);
const at = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

let database: TestDatabase;
const opened: PostgresStorage[] = [];
const clients: Client[] = [];

async function open(options: Parameters<typeof openPostgresStorage>[1] = {}): Promise<PostgresStorage> {
  const storage = await openPostgresStorage(database.url, options);
  opened.push(storage);
  return storage;
}

/** A plain connection to the test database, for what a test does beside the adapter (reading tables, holding locks). */
async function sql(): Promise<Client> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  clients.push(client);
  return client;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
  await Promise.all(clients.splice(0).map((client) => client.end()));
  await database.drop();
});

afterAll(dropMigratedTemplate);

/**
 * Resolves once some connection to the test database is waiting for a lock
 * another holds: the moment a test's batch is queued behind the test's own
 * transaction. Polls pg_stat_activity (one round trip each) until then.
 */
async function untilSomeoneWaitsForALock(observer: Client): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await observer.query<{ waiting: number }>(
      "SELECT COUNT(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if ((rows[0]?.waiting ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error('no connection started waiting for a lock within 10 s');
  }
}

describe('PostgreSQL migrations', () => {
  beforeEach(async () => {
    database = await createTestDatabase('empty');
  });

  it('several nodes starting on one empty database at once all open, and each migration is applied once', async () => {
    const nodes = await Promise.all([open(), open(), open(), open()]);
    for (const node of nodes) expect(await node.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    const { rows } = await (await sql()).query<{ version: number; times: number }>('SELECT version, COUNT(*)::int AS times FROM schema_migrations GROUP BY version ORDER BY version');
    expect(rows).toEqual(MIGRATIONS.map((migration) => ({ version: migration.version, times: 1 })));
    // And every node works on the result.
    await nodes[0]?.ingestion.upsertProducts([product('p')]);
    expect(await nodes[3]?.catalogue.getProduct('p')).toEqual(product('p'));
  });

  it('opening again finds nothing to do and keeps the data', async () => {
    const first = await open();
    await first.ingestion.upsertProducts([product('p')]);
    await first.close();
    const again = await open();
    expect(await again.catalogue.getProduct('p')).toEqual(product('p'));
    const { rows } = await (await sql()).query<{ n: number }>('SELECT COUNT(*)::int AS n FROM schema_migrations');
    expect(rows[0]?.n).toBe(MIGRATIONS.length);
  });

  it('refuses a database whose schema is newer than this build', async () => {
    await (await open()).close();
    await (await sql()).query("INSERT INTO schema_migrations (version, name) VALUES ($1, 'from the future')", [LATEST_SCHEMA_VERSION + 1]);
    await expect(open()).rejects.toThrow(`database schema version ${LATEST_SCHEMA_VERSION + 1} is newer than this build supports (${LATEST_SCHEMA_VERSION})`);
  });

  it('read-only: migrates nothing, refuses a database not yet migrated, and refuses every write', async () => {
    await expect(open({ readonly: true })).rejects.toThrow(`database schema version 0, this build needs ${LATEST_SCHEMA_VERSION}`);
    const { rows } = await (await sql()).query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
    expect(rows[0]?.present).toBe(false);

    const writer = await open();
    await writer.ingestion.upsertProducts([product('p')]);
    const reader = await open({ readonly: true });
    expect(await reader.catalogue.getProduct('p')).toEqual(product('p'));
    await expect(reader.ingestion.upsertProducts([product('q')])).rejects.toThrow(/read-only transaction/);
    await expect(reader.locks.claim([frozen('s', 'x')])).rejects.toThrow(/read-only transaction/);
    expect(await writer.catalogue.getProduct('q')).toBeUndefined();
  });
});

function frozen(subscriberId: string, name: string, over: Partial<FrozenView> = {}): FrozenView {
  return { campaignId: 'c', blockId: 'b', subscriberId, view: { kind: 'loyalty', name } as unknown as BlockView, variant: null, messageVariant: null, lockedAt: T0, ...over };
}

const points = (id: string, delta: number, subscriberId: string): SubscriberEvent => ({ id, type: 'points_changed', subscriberId, occurredAt: at(0), delta });

describe('PostgreSQL races between pools (two nodes)', () => {
  let a: PostgresStorage;
  let b: PostgresStorage;

  beforeEach(async () => {
    database = await createTestDatabase('migrated');
    [a, b] = await Promise.all([open(), open()]);
  });

  it('20 concurrent claims of one lock over two pools: exactly one wins, and both read the winner', async () => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? a : b).locks.claim([frozen('s', `claim-${n}`)]).then(([won]) => ({ n, won }))));
    const winners = outcomes.filter((outcome) => outcome.won);
    expect(winners).toHaveLength(1);
    const winner = frozen('s', `claim-${winners[0]?.n}`);
    expect(await a.locks.get('c', 'b', 's')).toEqual(winner);
    expect(await b.locks.get('c', 'b', 's')).toEqual(winner);
  });

  it('the same event ids for a subscriber nobody has yet, at once over two pools: applied once, the other batch reports duplicates', async () => {
    // No row to lock yet: both batches plan against nothing; the second to write finds the ids
    // taken, runs again, and then reads them as duplicates.
    const batch = [points('e-1', 10, 'newcomer'), points('e-2', 1, 'newcomer')];
    const results = await Promise.all([a.ingestion.applySubscriberEvents(batch, { now }), b.ingestion.applySubscriberEvents(batch, { now })]);
    expect(results.map((result) => result.applied).sort()).toEqual([0, 2]);
    expect(results.map((result) => result.duplicates.length).sort()).toEqual([0, 2]);
    expect((await a.catalogue.getSubscriber('newcomer'))?.loyaltyPoints).toBe(11);
  });

  it('different events creating one new profile at once over two pools: none is lost', async () => {
    const batches = Array.from({ length: 10 }, (_, n) => (n % 2 === 0 ? a : b).ingestion.applySubscriberEvents([points(`e-${n}`, 1, 'newcomer')], { now }));
    expect((await Promise.all(batches)).map((result) => result.applied)).toEqual(Array(10).fill(1));
    expect((await b.catalogue.getSubscriber('newcomer'))?.loyaltyPoints).toBe(10);
  });

  it('one new product patched at once over two pools: created once, and the older patch never overwrites the newer', async () => {
    const fields = { name: 'New', url: 'https://shop.example/new', image: 'https://shop.example/new.png', category: 'coats', price: 5, currency: 'EUR' };
    const [older, newer] = await Promise.all([
      a.ingestion.applyProductPatches([{ id: 'new', ...fields, stock: 1, updatedAt: at(1000) }], { now, onIncomplete: 'abort' }),
      b.ingestion.applyProductPatches([{ id: 'new', ...fields, stock: 2, updatedAt: at(2000) }], { now, onIncomplete: 'abort' }),
    ]);
    expect(older.created + newer.created).toBe(1);
    expect(await a.catalogue.getProduct('new')).toMatchObject({ stock: 2, updatedAt: at(2000) });
  });

  it('a patch batch waits for a row another connection holds, then plans against what that one committed', async () => {
    await a.ingestion.upsertProducts([product('p', { stock: 5, updatedAt: at(0) })]);
    const holder = await sql();
    await holder.query('BEGIN');
    await holder.query("SELECT 1 FROM products WHERE id = 'p' FOR UPDATE");
    const patched = b.ingestion.applyProductPatches([{ id: 'p', stock: 1, updatedAt: at(10_000) }], { now, onIncomplete: 'abort' });
    await untilSomeoneWaitsForALock(await sql());
    // While the batch waits, the holder writes a later change and commits.
    await holder.query("UPDATE products SET stock = 9, updated_at = $1 WHERE id = 'p'", [at(20_000)]);
    await holder.query('COMMIT');
    expect((await patched).stale).toEqual([{ index: 0, id: 'p', storedUpdatedAt: at(20_000) }]);
    expect((await a.catalogue.getProduct('p'))?.stock).toBe(9);
  });

  it('impression batches touching the same keys in opposite orders at once do not deadlock', async () => {
    const keys = Array.from({ length: 50 }, (_, n) => `s${String(n).padStart(2, '0')}`);
    const batchOf = (subscribers: string[], offsetMs: number): Impression[] =>
      subscribers.map((subscriberId) => ({ subscriberId, campaignId: 'c', blockId: 'b', urls: [`https://shop.example/${offsetMs}`], renderedAt: at(offsetMs) }));
    await Promise.all(
      Array.from({ length: 10 }, (_, n) => (n % 2 === 0 ? a : b).impressions.record(batchOf(n % 2 === 0 ? keys : [...keys].reverse(), n * 1000))),
    );
    for (const subscriberId of [keys[0], keys[49]] as string[]) expect((await a.impressions.latest(subscriberId, 'c', 'b'))?.urls).toEqual(['https://shop.example/9000']);
  });

  it('retention leaves a row another transaction is rewriting for the next run instead of waiting for it', async () => {
    await a.impressions.record(['s1', 's2', 's3'].map((subscriberId, n) => ({ subscriberId, campaignId: 'c', blockId: 'b', urls: ['u'], renderedAt: at(n) })));
    const holder = await sql();
    await holder.query('BEGIN');
    await holder.query("UPDATE impressions SET urls = '{v}' WHERE subscriber_id = 's1'");
    // Resolves while s1 is still locked: the two others go, s1 waits for a later run.
    expect(await b.retention.pruneImpressions(new Date(T0 + 60_000), 10)).toBe(2);
    await holder.query('COMMIT');
    expect((await a.impressions.latest('s1', 'c', 'b'))?.urls).toEqual(['v']);
    expect(await b.retention.pruneImpressions(new Date(T0 + 60_000), 10)).toBe(1);
  });
});

describe('PostgreSQL query plans', () => {
  beforeEach(async () => {
    database = await createTestDatabase('migrated');
  });

  it('best-sellers walk their partial index, without a sort or a scan of the catalogue; products are read by key', async () => {
    const storage = await open();
    // Enough rows, a few categories, many sold out, for the planner to weigh a real catalogue (ANALYZE).
    const products: Product[] = Array.from({ length: 20_000 }, (_, n) =>
      product(`p${n}`, { category: ['coats', 'shoes', 'bags', 'hats'][n % 4] as string, popularity: (n * 7919) % 1000, stock: n % 3 === 0 ? 0 : 5 }),
    );
    await storage.ingestion.upsertProducts(products);
    await (await sql()).query('ANALYZE products');

    const inCategory = (await storage.explain('bestSellersInCategory', 'coats', 8, ['p4', 'p8'])).join('\n');
    expect(inCategory).toMatch(/Index Scan using products_best_sellers_by_category on products/);
    expect(inCategory).not.toMatch(/Seq Scan|Sort/);

    const overall = (await storage.explain('bestSellers', 8, [])).join('\n');
    expect(overall).toMatch(/Index Scan using products_best_sellers on products/);
    expect(overall).not.toMatch(/Seq Scan|Sort/);

    expect((await storage.explain('getProduct', 'p1')).join('\n')).toMatch(/Index Scan using products_pkey on products/);
  });

  it('the generic plans of the named best-seller statements (what a pooled connection reuses) walk the same indexes', async () => {
    const storage = await open();
    await storage.ingestion.upsertProducts(Array.from({ length: 20_000 }, (_, n) => product(`p${n}`, { category: ['coats', 'shoes'][n % 2] as string, popularity: n % 500 })));
    const client = await sql();
    await client.query('ANALYZE products');
    // node-postgres prepares named statements once per connection; after a few runs PostgreSQL may
    // switch them to a plan made without the parameters' values (PostgreSQL manual, "PREPARE").
    await client.query('SET plan_cache_mode = force_generic_plan');
    await client.query(`PREPARE in_category (text, bigint, text[]) AS ${CATALOGUE_SQL.bestSellersInCategory}`);
    await client.query(`PREPARE overall (bigint, text[]) AS ${CATALOGUE_SQL.bestSellers}`);
    const planOf = async (execute: string): Promise<string> => (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${execute}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
    const inCategory = await planOf("EXECUTE in_category('coats', 8, '{}')");
    expect(inCategory).toMatch(/Index Scan using products_best_sellers_by_category on products/);
    expect(inCategory).not.toMatch(/Seq Scan|Sort/);
    const overall = await planOf("EXECUTE overall(8, '{p1}')");
    expect(overall).toMatch(/Index Scan using products_best_sellers on products/);
    expect(overall).not.toMatch(/Seq Scan|Sort/);
  });
});

describe('PostgreSQL that cannot be used at start-up', () => {
  beforeEach(async () => {
    database = await createTestDatabase('empty');
  });

  it('a database that does not exist: one line naming OPENTIME_DATABASE_URL and what the server said, without the password', async () => {
    const url = new URL(urlOf('opentime_no_such_database'));
    url.password = 'hunter2-secret';
    const failure = await openStorage({ databaseFile: '/nonexistent/opentime.db', databaseUrl: url.toString(), freshnessMs: 0 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DatabaseUnreachableError);
    const message = startupFailureMessage(failure, { port: 8080, host: '0.0.0.0', dataDir: '/srv/opentime' });
    expect(message).toMatch(/^OPENTIME_DATABASE_URL="postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/opentime_no_such_database": the server refused the connection \(3D000: database "opentime_no_such_database" does not exist\); expected /);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('\n');
  });
});
