import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { formatImportSummary, runImport } from '../src/commands/import';
import { importFeed } from '../src/data/ingest-feed';
import { csvColumns } from '../src/data/ingest-feed-readers';
import { seedDemoDataIfEmpty } from '../src/data/seed';
import { productPatchSchema, subscriberPatchSchema } from '../src/api/payload-schemas';
import { openSqliteStorage, type SqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import { FIXED_NOW } from './helpers/app-fixture';
import { runCli } from './helpers/processes';

const fixture = (name: string) => path.join(__dirname, 'fixtures', name);

async function demoStorage(): Promise<SqliteStorage> {
  const storage = openSqliteStorage(':memory:');
  await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.test', now: FIXED_NOW });
  return storage;
}

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

describe('opentime import', () => {
  let storage: SqliteStorage;
  beforeEach(async () => {
    storage = await demoStorage();
  });
  afterEach(() => storage.close());

  test('a good CSV: new products created, a partial row updates only its cells', async () => {
    const summary = await importFeed({ ingestion: storage.ingestion, kind: 'products', file: fixture('ingest-products-good.csv'), now: () => FIXED_NOW });
    expect(summary).toMatchObject({ rows: 3, created: 2, updated: 1, stale: 0, rejected: [] });
    expect(await storage.catalogue.getProduct('linen-shirt')).toEqual({
      id: 'linen-shirt',
      name: 'Linen Shirt, White',
      url: 'https://shop.example/p/linen-shirt',
      image: 'https://shop.example/i/linen-shirt.png',
      category: 'shirts',
      price: 59.9,
      salePrice: null,
      currency: 'EUR',
      prices: {},
      markets: [],
      stock: 12,
      popularity: 40,
      updatedAt: '2026-11-22T08:00:00.000Z',
    });
    expect(await storage.catalogue.getProduct('oxford-shirt')).toMatchObject({ salePrice: 49.5, popularity: 0, updatedAt: FIXED_NOW.toISOString() });
    // Empty cells keep the stored value, except nullable columns, where empty means "none": the sale is over.
    expect(await storage.catalogue.getProduct('quilted-jacket-olive')).toMatchObject({ name: 'Quilted Jacket, Olive', price: 159, salePrice: null, stock: 5 });
  });

  test('bad rows are reported by line number with every problem; the good rows are written', async () => {
    const summary = await importFeed({ ingestion: storage.ingestion, kind: 'products', file: fixture('ingest-products-bad.csv') });
    expect(summary).toMatchObject({ rows: 6, created: 2 });
    expect(summary.rejected).toEqual([
      { line: 3, position: 1, id: 'bad-price', problems: ['price: Invalid input: expected number, received string'] },
      { line: 4, position: 2, id: 'bad-currency', problems: ['currency: expected an ISO 4217 currency code such as EUR, USD, GBP'] },
      { line: 5, position: 3, problems: [expect.stringMatching(/^expected 9 cells \(as in the header\), found 3$/)] },
      { line: 6, position: 4, id: 'new-without-price', problems: ['price: required for a new product'] },
    ]);
    expect(await storage.catalogue.getProduct('ok-1')).toBeDefined();
    expect(await storage.catalogue.getProduct('ok-2')).toMatchObject({ price: 20, salePrice: 15 });
    expect(await storage.catalogue.getProduct('bad-price')).toBeUndefined();
    expect(await storage.catalogue.getProduct('new-without-price')).toBeUndefined();
    expect(formatImportSummary(summary, 2)).toMatch(
      /^Imported 6 products in .* s \(\d+ rows\/s\): 2 created, 0 updated, 0 unchanged, 0 stale .*, 4 rejected\.\n  line 3 \(id "bad-price"\): price: .*\n  line 4 .*\n  … and 2 more rejected rows/,
    );
  });

  test('a malformed CSV row is reported by the line it starts on and the import goes on (CRLF, a record over two lines)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-import-'));
    const file = path.join(dir, 'products.csv');
    const lines = ['id,name,stock', 'quilted-jacket-olive,"Quilted Jacket, Olive",7', 'short,"two', 'lines"', 'merino-crew-navy,"Merino "Slim" Crew",3', 'peacoat-navy,Peacoat,9'];
    fs.writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`);
    const summary = await importFeed({ ingestion: storage.ingestion, kind: 'products', file });
    expect(summary).toMatchObject({ rows: 4, updated: 2 });
    expect(summary.rejected).toEqual([
      { line: 3, position: 1, problems: ['expected 3 cells (as in the header), found 2'] },
      { line: 5, position: 2, problems: ['unexpected text after a closing quote'] },
    ]);
    expect(await storage.catalogue.getProduct('quilted-jacket-olive')).toMatchObject({ name: 'Quilted Jacket, Olive', stock: 7 });
    expect(await storage.catalogue.getProduct('peacoat-navy')).toMatchObject({ name: 'Peacoat', stock: 9 });
    expect((await storage.catalogue.getProduct('merino-crew-navy'))?.name).not.toMatch(/Slim/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a JSON array is streamed; bad records are reported by the line they start on', async () => {
    const summary = await importFeed({ ingestion: storage.ingestion, kind: 'products', file: fixture('ingest-products.json') });
    expect(summary).toMatchObject({ rows: 4, created: 1, updated: 1 });
    expect(summary.rejected).toEqual([
      { line: 4, position: 2, id: 'broken', problems: ['stock: Invalid input: expected number, received string'] },
      { line: 5, position: 3, problems: ['expected a JSON object'] },
    ]);
    expect((await storage.catalogue.getProduct('quilted-jacket-olive'))?.stock).toBe(5);
  });

  test('the API body shape {"products": […]} imports too', async () => {
    const summary = await importFeed({ ingestion: storage.ingestion, kind: 'products', file: fixture('ingest-products-wrapped.json') });
    expect(summary).toMatchObject({ rows: 2, updated: 2, rejected: [] });
    expect(await storage.catalogue.getProduct('peacoat-navy')).toMatchObject({ price: 279, stock: 9 });
  });

  test('NDJSON: line numbers, blank lines skipped, stale rows counted and not applied', async () => {
    const summary = await importFeed({ ingestion: storage.ingestion, kind: 'products', file: fixture('ingest-products.ndjson') });
    expect(summary).toMatchObject({ rows: 4, updated: 2, stale: 1 });
    expect(summary.rejected).toEqual([{ line: 4, position: 2, problems: [expect.stringMatching(/^not valid JSON: /)] }]);
    expect((await storage.catalogue.getProduct('peacoat-navy'))?.stock).toBe(9);
    expect((await storage.catalogue.getProduct('merino-crew-navy'))?.salePrice).toBe(69);
  });

  test('subscribers: list columns are "|"-separated, a partial row keeps the profile', async () => {
    const before = await storage.catalogue.getSubscriber('sub-emma');
    const summary = await importFeed({ ingestion: storage.ingestion, kind: 'subscribers', file: fixture('ingest-subscribers.csv') });
    expect(summary).toMatchObject({ rows: 3, created: 1, updated: 1 });
    expect(summary.rejected.map((row) => [row.line, row.problems])).toEqual([
      [4, ['locale: expected a BCP 47 locale such as en-US or de-DE', 'timeZone: expected an IANA time zone such as Europe/Berlin']],
    ]);
    expect(await storage.catalogue.getSubscriber('sub-noor')).toMatchObject({ recentViews: ['linen-shirt', 'peacoat-navy'], cart: ['linen-shirt'], purchases: [], loyaltyTier: 'Bronze' });
    // Empty nullable cells clear (country, city, tier); empty others keep (name, locale).
    expect(await storage.catalogue.getSubscriber('sub-emma')).toMatchObject({ firstName: before?.firstName, locale: before?.locale, loyaltyPoints: 9999, city: null, recentViews: before?.recentViews });
  });

  test('an unknown column stops the import before any row, naming the columns expected', async () => {
    const stderr = capture();
    const status = await runImport('products', fixture('ingest-products-unknown-column.csv'), {}, { storage, stderr: stderr.stream });
    expect(status).toBe(2);
    expect(stderr.text()).toBe(
      `opentime import: Unknown column(s) "colour" on line 1. Expected some of: ${Object.keys(csvColumns.products).join(', ')}, and price_<CURRENCY>, salePrice_<CURRENCY> (e.g. price_GBP).\n`,
    );
  });

  test('--dry-run checks every row and writes nothing', async () => {
    const summary = await importFeed({ ingestion: storage.ingestion, kind: 'products', file: fixture('ingest-products-bad.csv'), dryRun: true });
    expect(summary.rejected.map((row) => row.line)).toEqual([3, 4, 5]);
    expect(await storage.catalogue.getProduct('ok-1')).toBeUndefined();
  });

  test('CSV: date_<NAME> columns set a subscriber\'s named dates; an empty cell removes one, a bad time is refused naming the date', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-dates-'));
    const file = path.join(dir, 'subscribers.csv');
    const importDates = (lines: string[]) => {
      fs.writeFileSync(file, lines.join('\n'));
      return importFeed({ ingestion: storage.ingestion, kind: 'subscribers', file, now: () => FIXED_NOW });
    };
    await importDates(['id,date_couponExpiresAt,date_renewsAt', 'sub-emma,2026-12-10T23:59:00-05:00,2027-01-01T00:00:00Z']);
    expect((await storage.catalogue.getSubscriber('sub-emma'))?.dates).toMatchObject({
      couponExpiresAt: '2026-12-10T23:59:00-05:00',
      renewsAt: '2027-01-01T00:00:00Z',
    });
    const summary = await importDates(['id,date_couponExpiresAt,date_renewsAt', 'sub-emma,,2027-02-01T00:00:00Z', 'sub-lena,next friday,']);
    const emma = await storage.catalogue.getSubscriber('sub-emma');
    expect(emma?.dates?.couponExpiresAt).toBeUndefined();
    expect(emma?.dates?.renewsAt).toBe('2027-02-01T00:00:00Z');
    expect(summary.rejected).toEqual([expect.objectContaining({ line: 3, id: 'sub-lena', problems: [expect.stringMatching(/^dates\.couponExpiresAt: expected an ISO 8601 time/)] })]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the CSV columns are exactly the API fields (a price list as price_<CURRENCY> and salePrice_<CURRENCY> columns, named dates as date_<NAME>)', () => {
    expect([...Object.keys(csvColumns.products), 'prices'].sort()).toEqual(Object.keys(productPatchSchema.shape).sort());
    expect([...Object.keys(csvColumns.subscribers), 'dates'].sort()).toEqual(Object.keys(subscriberPatchSchema.shape).sort());
  });
});

describe('`opentime import` as a user runs it', () => {
  test('imports into the data directory, prints the summary, exits 1 when rows were rejected', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-import-'));
    const env = { OPENTIME_DATA_DIR: dataDir, OPENTIME_DEMO: 'false' };
    const goodFile = path.join(dataDir, 'new-products.csv');
    fs.writeFileSync(goodFile, fs.readFileSync(fixture('ingest-products-good.csv'), 'utf8').split('\n').slice(0, 3).join('\n'));
    const good = runCli(['import', 'products', goodFile], env);
    expect(good.stderr).toMatch(/^Imported 2 products in [\d.]+ s \(\d+ rows\/s\): 2 created, 0 updated, 0 unchanged, 0 stale .*, 0 rejected\.\n$/);
    expect(good.status).toBe(0);
    const bad = runCli(['import', 'products', fixture('ingest-products-bad.csv')], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/\n  line 3 \(id "bad-price"\): price: Invalid input: expected number, received string\n/);
    const wrongKind = runCli(['import', 'orders', goodFile], env);
    expect(wrongKind.status).not.toBe(0);
    expect(wrongKind.stderr).toMatch(/Expected "products" or "subscribers"/);
  });
});
