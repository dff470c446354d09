import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importFeed } from '../src/data/ingest-feed';
import type { Product } from '../src/data/model';
import { openSqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import { createApiApp, getJson, postJson, type ApiApp } from './helpers/api-app';
import { FIXED_NOW } from './helpers/app-fixture';

/**
 * Price lists and markets in: the ingestion API and `opentime import`
 * (README "Markets and currencies").
 */

const problemsOf = (response: { body: { error: { errors: { index: number; path: string; message: string }[] } } }) => response.body.error.errors;

describe('ingestion API: price lists and markets', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp();
  });
  afterEach(() => fixture.close());

  const product = async (id: string): Promise<Product> => (await getJson(fixture, `/api/v1/products/${id}`)).body.product;

  test('a price list and markets are stored, read back, and replace the stored ones whole', async () => {
    const write = await postJson(fixture, '/api/v1/products', {
      products: [{ id: 'peacoat-navy', prices: { GBP: { price: 249, salePrice: 199 }, USD: { price: 319 } }, markets: ['GB', 'US'] }],
    });
    expect(write.status).toBe(200);
    // A sale price left out is "not on sale in that currency".
    expect(await product('peacoat-navy')).toMatchObject({
      price: 289,
      currency: 'EUR',
      prices: { GBP: { price: 249, salePrice: 199 }, USD: { price: 319, salePrice: null } },
      markets: ['GB', 'US'],
    });
    await postJson(fixture, '/api/v1/products', { products: [{ id: 'peacoat-navy', prices: { SEK: { price: 3290, salePrice: null } }, markets: [] }] });
    expect(await product('peacoat-navy')).toMatchObject({ prices: { SEK: { price: 3290, salePrice: null } }, markets: [] });
  });

  test('validation names every bad price and market by item and path, and writes nothing of the batch', async () => {
    const before = await product('peacoat-navy');
    const response = await postJson(fixture, '/api/v1/products', {
      products: [
        { id: 'peacoat-navy', prices: { GBP: { price: 249, salePrice: null } }, markets: ['GB'] },
        { id: 'merino-crew-navy', currency: 'EUR', prices: { EUR: { price: 79, salePrice: null } } },
        { id: 'wool-overcoat-camel', prices: { EURO: { price: 1, salePrice: null }, USD: { salePrice: 10 }, GBP: { price: 5, sale: 4 } } },
        { id: 'trench-coat-stone', markets: ['de', 'FRA'], prices: [] },
        // Every problem at once: the own-currency entry is reported beside the others.
        { id: 'peacoat-navy', currency: 'GBP', prices: { GBP: { price: 1, salePrice: null } }, markets: ['jp'] },
      ],
    });
    expect(response.status).toBe(400);
    expect(problemsOf(response)).toEqual([
      { index: 1, path: 'prices.EUR', message: 'EUR is the product\'s own currency: its price goes in "price" and "salePrice", not in "prices"' },
      { index: 2, path: 'prices.EURO', message: 'expected an ISO 4217 currency code such as EUR, USD, GBP' },
      { index: 2, path: 'prices.USD.price', message: 'Invalid input: expected number, received undefined' },
      { index: 2, path: 'prices.GBP.sale', message: 'unknown field' },
      { index: 3, path: 'prices', message: expect.stringContaining('expected record') },
      { index: 3, path: 'markets.0', message: 'expected an ISO 3166-1 alpha-2 country code such as DE' },
      { index: 3, path: 'markets.1', message: 'expected an ISO 3166-1 alpha-2 country code such as DE' },
      { index: 4, path: 'markets.0', message: 'expected an ISO 3166-1 alpha-2 country code such as DE' },
      { index: 4, path: 'prices.GBP', message: 'GBP is the product\'s own currency: its price goes in "price" and "salePrice", not in "prices"' },
    ]);
    // The good first item was not written either.
    expect(await product('peacoat-navy')).toEqual(before);
  });

  test('the OpenAPI document describes prices and markets', async () => {
    const openapi = (await getJson(fixture, '/api/v1/openapi.json')).body;
    const text = JSON.stringify(openapi);
    expect(text).toContain('"prices"');
    expect(text).toContain('"markets"');
    expect(text).toContain('ISO 3166-1 alpha-2 countries the product is sold in');
  });
});

describe('opentime import: price lists and markets', () => {
  let fixture: ApiApp;
  let dir: string;
  beforeEach(async () => {
    fixture = await createApiApp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-markets-'));
  });
  afterEach(async () => {
    await fixture.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const importFile = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return importFeed({ ingestion: fixture.storage.ingestion, kind: 'products', file, now: () => FIXED_NOW });
  };
  const stored = async (id: string) => (await fixture.storage.catalogue.getProduct(id)) as Product;

  test('CSV: price_<CURRENCY> and salePrice_<CURRENCY> columns make the price list, markets are "DE|FR"', async () => {
    const summary = await importFile(
      'products.csv',
      [
        'id,price,salePrice,currency,price_GBP,salePrice_GBP,price_JPY,salePrice_JPY,markets',
        'peacoat-navy,289,,EUR,249,199,47000,,GB|JP',
        // No JPY cells: no JPY price. No markets: everywhere.
        'merino-crew-navy,89,,EUR,77,,,,',
        // A sale price without a price in that currency is refused, naming the field.
        'wool-overcoat-camel,329,,EUR,,250,,,',
      ].join('\n'),
    );
    expect(summary).toMatchObject({ rows: 3, updated: 2 });
    expect(summary.rejected).toEqual([{ line: 4, position: 2, id: 'wool-overcoat-camel', problems: ['prices.GBP.price: Invalid input: expected number, received undefined'] }]);
    expect(await stored('peacoat-navy')).toMatchObject({
      prices: { GBP: { price: 249, salePrice: 199 }, JPY: { price: 47000, salePrice: null } },
      markets: ['GB', 'JP'],
    });
    expect(await stored('merino-crew-navy')).toMatchObject({ prices: { GBP: { price: 77, salePrice: null } }, markets: [] });
  });

  test('what the API reads back imports again as it is: nothing changes, nothing is rewritten', async () => {
    await postJson(fixture, '/api/v1/products', {
      products: [{ id: 'peacoat-navy', prices: { USD: { price: 319, salePrice: 279 }, GBP: { price: 249, salePrice: null } }, markets: ['US', 'GB'] }],
    });
    const exported: Product[] = await Promise.all(
      ['peacoat-navy', 'quilted-jacket-olive', 'leather-tote-cognac'].map(async (id) => (await getJson(fixture, `/api/v1/products/${id}`)).body.product),
    );
    const summary = await importFile('products.ndjson', exported.map((record) => JSON.stringify(record)).join('\n'));
    expect(summary).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3, rejected: [] });
    for (const record of exported) expect(await stored(record.id)).toEqual(record);
    // Into an empty shop, the same file creates exactly these products.
    const empty = openSqliteStorage(':memory:');
    const created = await importFeed({ ingestion: empty.ingestion, kind: 'products', file: path.join(dir, 'products.ndjson'), now: () => FIXED_NOW });
    expect(created).toMatchObject({ created: 3, rejected: [] });
    for (const record of exported) expect(await empty.catalogue.getProduct(record.id)).toEqual(record);
    await empty.close();
  });
});
