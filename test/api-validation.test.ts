import request from 'supertest';
import { MAX_BATCH } from '../src/api/payload-schemas';
import { createApiApp, postJson, type ApiApp } from './helpers/api-app';

/**
 * Documented choice: a batch is all-or-nothing. One bad item answers 400
 * with the index and field path of EVERY problem, and nothing of the batch
 * is written, not even its good items.
 */
describe('ingestion API validation', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp({ bodyLimitBytes: 64 * 1024 });
  });
  afterEach(() => fixture.close());

  const stored = (id: string) => fixture.database.catalogue.getProduct(id);

  test('every bad item is listed by index and field path, and the good items are not written', async () => {
    const response = await postJson(fixture, '/api/v1/products', {
      products: [
        { id: 'quilted-jacket-olive', stock: 3 },
        { id: 'merino-crew-navy', price: '79.90', stock: -1 },
        { id: 'peacoat-navy', currency: 'EURO', updatedAt: 'yesterday' },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.detail).toBe('4 problem(s) in 2 item(s); nothing was written.');
    expect(response.body.error.errors).toEqual([
      { index: 1, path: 'price', message: 'Invalid input: expected number, received string' },
      { index: 1, path: 'stock', message: expect.stringMatching(/>=0/) },
      { index: 2, path: 'currency', message: 'expected an ISO 4217 currency code such as EUR, USD, GBP' },
      { index: 2, path: 'updatedAt', message: 'expected an ISO 8601 timestamp with a zone, e.g. 2026-11-22T10:00:00Z' },
    ]);
    expect((await stored('quilted-jacket-olive'))?.stock).toBe(22);
  });

  test('unknown fields are reported one by one, with a hint for snake_case', async () => {
    const response = await postJson(fixture, '/api/v1/products', { products: [{ id: 'quilted-jacket-olive', sale_price: 99, colour: 'olive' }] });
    expect(response.status).toBe(400);
    expect(response.body.error.errors).toEqual([
      { index: 0, path: 'sale_price', message: 'unknown field; did you mean "salePrice"?' },
      { index: 0, path: 'colour', message: 'unknown field' },
    ]);
    expect((await stored('quilted-jacket-olive'))?.salePrice).toBe(119);
  });

  test('paths reach into lists, and unknown top-level fields are reported at index -1', async () => {
    const response = await postJson(fixture, '/api/v1/subscribers', {
      subscribers: [{ id: 'sub-emma', cart: ['ok', 42], timeZone: 'Mars/Olympus' }],
      dryRun: true,
    });
    expect(response.status).toBe(400);
    expect(response.body.error.errors).toEqual([{ index: -1, path: 'dryRun', message: 'unknown field; expected only "subscribers"' }]);
    const inner = await postJson(fixture, '/api/v1/subscribers', { subscribers: [{ id: 'sub-emma', cart: ['ok', 42], timeZone: 'Mars/Olympus' }] });
    expect(inner.body.error.errors).toEqual([
      { index: 0, path: 'timeZone', message: 'expected an IANA time zone such as Europe/Berlin' },
      { index: 0, path: 'cart.1', message: 'Invalid input: expected string, received number' },
    ]);
  });

  test('an unknown event type names the types expected', async () => {
    const response = await postJson(fixture, '/api/v1/events', {
      events: [{ id: 'e1', type: 'wishlisted', subscriberId: 'sub-emma', occurredAt: '2026-11-22T09:00:00Z', productId: 'x' }],
    });
    expect(response.status).toBe(400);
    expect(response.body.error.errors).toEqual([{ index: 0, path: 'type', message: expect.stringContaining("'product_viewed' | 'added_to_cart'") }]);
  });

  test.each([
    ['not an object', [1, 2], { index: -1, path: '', message: 'expected a JSON object {"products": [ … ]}' }],
    ['the array missing', { items: [] }, { index: -1, path: 'products', message: 'expected "products" to be an array of records' }],
    ['an empty batch', { products: [] }, { index: -1, path: 'products', message: 'expected at least one record' }],
  ])('body shape: %s', async (_name, body, problem) => {
    const response = await postJson(fixture, '/api/v1/products', body);
    expect(response.status).toBe(400);
    expect(response.body.error.errors).toEqual([problem]);
  });

  test(`more than ${MAX_BATCH} records is refused before any item is checked`, async () => {
    const big = await createApiApp({ bodyLimitBytes: 8 * 1024 * 1024 });
    try {
      const products = Array.from({ length: MAX_BATCH + 1 }, (_, i) => ({ id: `p${i}`, stock: 1 }));
      const response = await postJson(big, '/api/v1/products', { products });
      expect(response.status).toBe(400);
      expect(response.body.error.errors).toEqual([{ index: -1, path: 'products', message: `at most ${MAX_BATCH} records per request; received ${MAX_BATCH + 1}` }]);
    } finally {
      await big.close();
    }
  });

  test('a new product without its required fields: 400 per missing field, nothing written', async () => {
    const response = await postJson(fixture, '/api/v1/products', {
      products: [
        { id: 'quilted-jacket-olive', stock: 2 },
        { id: 'brand-new', name: 'Brand New', price: 10 },
      ],
    });
    expect(response.status).toBe(400);
    const missing = ['url', 'image', 'category', 'currency', 'stock'];
    expect(response.body.error.errors).toEqual(
      missing.map((path) => ({ index: 1, path, message: 'required for a new product (no product "brand-new" is stored yet)' })),
    );
    expect(await stored('brand-new')).toBeUndefined();
    expect((await stored('quilted-jacket-olive'))?.stock).toBe(22);
  });

  test('a body that is not JSON: 400 bad_request with the parser message', async () => {
    const response = await postJson(fixture, '/api/v1/products', '{"products": [');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('bad_request');
    expect(response.body.error.detail).toMatch(/^The body is not valid JSON: /);
  });

  test('a body that is not declared JSON: 415', async () => {
    const response = await request(fixture.app)
      .post('/api/v1/products')
      .set('Authorization', `Bearer ${fixture.keys.all}`)
      .set('Content-Type', 'text/csv')
      .send('id,stock\nx,1\n');
    expect(response.status).toBe(415);
    expect(response.body.error).toMatchObject({ code: 'unsupported_media_type', detail: 'Received Content-Type "text/csv".' });
  });

  test('a body over the limit: 413 as JSON, nothing written', async () => {
    const products = Array.from({ length: 1000 }, (_, i) => ({ id: `quilted-jacket-olive`, name: `Jacket ${i} ${'x'.repeat(60)}` }));
    const response = await postJson(fixture, '/api/v1/products', { products });
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body.error).toMatchObject({ code: 'payload_too_large', detail: expect.stringContaining(`${64 * 1024} bytes`) });
    expect((await stored('quilted-jacket-olive'))?.name).toBe('Quilted Jacket, Olive');
  });
});
