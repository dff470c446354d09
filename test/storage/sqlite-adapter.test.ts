import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Product } from '../../src/data/model';
import { newSubscriber } from '../../src/data/patches';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersion } from '../../src/storage/sqlite/migrations';
import { CATALOGUE_SQL } from '../../src/storage/sqlite/sqlite-records';
import { openSqliteStorage, type SqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import { product } from './contract';

/**
 * What only SQLite promises, beside the storage contract it passes
 * (sqlite.contract.test.ts): the file, its journal, its migrations, read-only
 * opening, the query plans behind "every read is served by an index", and
 * transactions that roll back as one.
 */

const NOW = new Date('2025-03-10T14:23:45.000Z');

describe('SQLite storage on a file', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-store-'));
    // A nested, not-yet-existing directory: open must create it.
    file = path.join(dir, 'nested', 'data', 'opentime.sqlite');
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the parent directory, uses WAL, and migrates to the latest version', async () => {
    const storage = openSqliteStorage(file);
    try {
      expect(fs.existsSync(file)).toBe(true);
      expect(storage.journalMode()).toBe('wal');
      expect(storage.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
      expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
    } finally {
      await storage.close();
    }
  });

  it('is idempotent across restarts: version unchanged, migrations recorded once, data kept', async () => {
    const first = openSqliteStorage(file);
    await first.ingestion.upsertProducts([product('a', { popularity: 5 })]);
    await first.close();
    await first.close(); // closing twice is harmless

    const second = openSqliteStorage(file);
    try {
      expect(second.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
      expect(await second.catalogue.getProduct('a')).toEqual(product('a', { popularity: 5 }));
      expect(await second.ingestion.countProducts()).toBe(1);
    } finally {
      await second.close();
    }

    const raw = new BetterSqlite3(file);
    try {
      const rows = raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(schemaVersion(raw)).toBe(LATEST_SCHEMA_VERSION);
      // Running migrate again on an up-to-date database applies nothing.
      expect(migrate(raw)).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION, applied: [] });
      // WAL is a property of the file, so a fresh connection sees it too.
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it('refuses a database written by a newer schema', async () => {
    await openSqliteStorage(file).close();
    const raw = new BetterSqlite3(file);
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'from the future', NOW.toISOString());
    raw.close();
    expect(() => openSqliteStorage(file)).toThrow(/newer than this build supports/);
  });

  it('opens read-only: reads work, writes are refused, a missing file is an error', async () => {
    const writer = openSqliteStorage(file);
    await writer.ingestion.upsertProducts([product('a')]);
    await writer.close();

    const reader = openSqliteStorage(file, { readonly: true });
    try {
      expect(await reader.catalogue.getProduct('a')).toEqual(product('a'));
      // better-sqlite3's native addon keeps the SqliteError class of the first jest
      // module registry that loaded it, so match the error's code, not its class.
      await expect(reader.ingestion.upsertProducts([product('b')])).rejects.toHaveProperty('code', 'SQLITE_READONLY');
    } finally {
      await reader.close();
    }
    expect(() => openSqliteStorage(path.join(dir, 'missing.sqlite'), { readonly: true })).toThrow();
  });

  it('serves best-sellers from the partial indexes even without the INDEXED BY hint', async () => {
    await openSqliteStorage(file).close();
    const raw = new BetterSqlite3(file);
    try {
      // The hint makes prepare() fail if the index is unusable; this checks the
      // planner would also choose it unaided (so the hint never fights it).
      const unhinted = (sql: string): string => sql.replace(/ INDEXED BY \w+/, '');
      const plan = (sql: string, ...params: unknown[]): string[] => (raw.prepare(`EXPLAIN QUERY PLAN ${unhinted(sql)}`).all(...params) as { detail: string }[]).map((r) => r.detail);
      expect(plan(CATALOGUE_SQL.bestSellersInCategory, 'coats', 10).join('\n')).toMatch(/USING INDEX products_best_sellers_by_category/);
      expect(plan(CATALOGUE_SQL.bestSellers, 10).join('\n')).toMatch(/USING INDEX products_best_sellers\b/);
    } finally {
      raw.close();
    }
  });
});

describe('SQLite storage in memory', () => {
  let storage: SqliteStorage;

  beforeEach(() => {
    storage = openSqliteStorage(':memory:');
  });

  afterEach(async () => {
    await storage.close();
  });

  it('migrates an in-memory database (no WAL there: SQLite keeps the journal in memory)', () => {
    expect(storage.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect(storage.journalMode()).toBe('memory');
  });

  it('EXPLAIN QUERY PLAN: best-seller queries walk an index, never the table, never sort', () => {
    const inCategory = storage.explain('bestSellersInCategory', 'coats', 10);
    const overall = storage.explain('bestSellers', 10);
    for (const plan of [inCategory, overall]) {
      expect(plan.length).toBeGreaterThan(0);
      for (const line of plan) {
        // A full-table scan reads "SCAN products" with no index; an ordered
        // walk of an index reads "SCAN products USING INDEX …" and stops at LIMIT.
        expect(line).not.toMatch(/^SCAN products$/);
        expect(line).toMatch(/USING (COVERING )?INDEX products_best_sellers/);
        expect(line).not.toMatch(/TEMP B-TREE/);
      }
    }
    expect(inCategory.join('\n')).toMatch(/SEARCH products USING INDEX products_best_sellers_by_category \(category=\?\)/);
    expect(overall.join('\n')).toMatch(/INDEX products_best_sellers\b/);
  });
});

/**
 * A batch is one transaction: its effects and the record of its event ids
 * commit together or not at all. Here a write fails half-way (a trigger
 * stands in for a full disk), after earlier statements of the same batch
 * succeeded; none of them may remain.
 */
describe('SQLite ingestion transactions', () => {
  let dir: string;
  let storage: SqliteStorage;
  let raw: BetterSqlite3.Database;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-ingest-tx-'));
    const file = path.join(dir, 'opentime.db');
    storage = openSqliteStorage(file);
    await storage.ingestion.upsertSubscribers([newSubscriber('s1', '2026-01-01T00:00:00.000Z')]);
    raw = new BetterSqlite3(file);
  });

  afterEach(async () => {
    raw.close();
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const count = (sql: string): number => (raw.prepare(sql).get() as { n: number }).n;
  // Matched by message, not with toThrow: the native addon's SqliteError class may come from another
  // test file's module registry in the same jest worker, and is then not an Error of this one.
  const points = { id: 'e-1', type: 'points_changed' as const, subscriberId: 's1', occurredAt: '2026-11-22T09:00:00Z', delta: 10 };

  test('a failed event batch records no event id, so the retry applies it once', async () => {
    // The event id is recorded before the profile is written; the profile write fails.
    raw.exec("CREATE TRIGGER disk_full BEFORE UPDATE ON subscribers BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    await expect(storage.ingestion.applySubscriberEvents([points], { now: new Date() })).rejects.toHaveProperty('message', 'disk full');
    expect(count('SELECT COUNT(*) AS n FROM ingested_events')).toBe(0);

    raw.exec('DROP TRIGGER disk_full');
    expect(await storage.ingestion.applySubscriberEvents([points], { now: new Date() })).toEqual({ applied: 1, duplicates: [], stale: [] });
    expect(await storage.ingestion.applySubscriberEvents([points], { now: new Date() })).toEqual({ applied: 0, duplicates: [{ index: 0, id: 'e-1' }], stale: [] });
    expect((await storage.catalogue.getSubscriber('s1'))?.loyaltyPoints).toBe(10);
    expect(count('SELECT COUNT(*) AS n FROM ingested_events')).toBe(1);
  });

  test('a product batch that fails on its last row leaves no row written', async () => {
    raw.exec("CREATE TRIGGER disk_full BEFORE INSERT ON products WHEN NEW.id = 'b' BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    const patch = (id: string): Partial<Product> & { id: string } => ({ id, name: id, url: 'https://x.example/p', image: 'https://x.example/i.png', category: 'c', price: 1, currency: 'EUR', stock: 1 });
    await expect(storage.ingestion.applyProductPatches([patch('a'), patch('b')], { now: new Date(), onIncomplete: 'abort' })).rejects.toHaveProperty('message', 'disk full');
    expect(count('SELECT COUNT(*) AS n FROM products')).toBe(0);
  });
});
