import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importFeed } from '../src/data/ingest-feed';
import { createApiApp, getJson, postJson, type ApiApp } from './helpers/api-app';
import { FIXED_NOW } from './helpers/app-fixture';

/** What a record sent with a timestamp of the far future is told (at the default 300 s limit, the fixture clock at FIXED_NOW). */
const tooFarAhead = (index: number, path: string) => ({
  index,
  path,
  message: 'too far in the future: more than 300 s ahead of the server clock (the latest accepted now is 2026-11-22T10:05:00.000Z)',
});

describe('source timestamps ahead of the server clock', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp();
  });
  afterEach(() => fixture.close());

  const product = async (id: string) => (await getJson(fixture, `/api/v1/products/${id}`)).body.product;

  test('a far-future updatedAt is refused with the whole batch, and the record takes later updates as before', async () => {
    const before = await product('quilted-jacket-olive');
    const frozen = await postJson(fixture, '/api/v1/products', {
      products: [
        { id: 'merino-crew-navy', stock: 40 },
        { id: 'quilted-jacket-olive', stock: 11, updatedAt: '9999-12-31T23:59:59Z' },
      ],
    });
    expect(frozen.status).toBe(400);
    expect(frozen.body.error).toEqual({
      code: 'validation_failed',
      message: 'Some records are invalid; nothing was written. Each problem is listed with its item index and field path.',
      detail: '1 problem(s) in 1 item(s); nothing was written.',
      errors: [tooFarAhead(1, 'updatedAt')],
    });
    // Nothing of the batch was written, not even its good first record.
    expect(await product('quilted-jacket-olive')).toEqual(before);
    expect((await product('merino-crew-navy')).stock).not.toBe(40);

    // A later, honestly timed update applies: the record is not frozen.
    const later = await postJson(fixture, '/api/v1/products', { products: [{ id: 'quilted-jacket-olive', stock: 9, updatedAt: '2026-11-22T10:01:00Z' }] });
    expect(later.status).toBe(200);
    expect(later.body).toEqual({ received: 1, created: 0, updated: 1, unchanged: 0, stale: [] });
    expect(await product('quilted-jacket-olive')).toMatchObject({ stock: 9, updatedAt: '2026-11-22T10:01:00.000Z' });
  });

  test('the limit is the injected clock plus the skew: 300 s ahead is accepted, a second more is not', async () => {
    const atLimit = await postJson(fixture, '/api/v1/products', { products: [{ id: 'peacoat-navy', stock: 4, updatedAt: '2026-11-22T10:05:00Z' }] });
    expect(atLimit.status).toBe(200);
    const past = await postJson(fixture, '/api/v1/products', { products: [{ id: 'peacoat-navy', stock: 5, updatedAt: '2026-11-22T12:05:01+02:00' }] });
    expect(past.status).toBe(400);
    expect(past.body.error.errors).toEqual([tooFarAhead(0, 'updatedAt')]);
    // Once the server's clock has caught up, the same timestamp is fine.
    fixture.clock.now = new Date('2026-11-22T10:00:01Z');
    expect((await postJson(fixture, '/api/v1/products', { products: [{ id: 'peacoat-navy', stock: 5, updatedAt: '2026-11-22T12:05:01+02:00' }] })).status).toBe(200);
    expect((await product('peacoat-navy')).stock).toBe(5);
  });

  test('subscribers and events are held to the same limit, each problem named by index and field', async () => {
    const emmaBefore = (await getJson(fixture, '/api/v1/subscribers/sub-emma')).body.subscriber;
    const profiles = await postJson(fixture, '/api/v1/subscribers', {
      subscribers: [
        { id: 'sub-emma', city: 'Boston', updatedAt: '2026-11-22T09:00:00Z' },
        { id: 'sub-lena', city: 'Graz', updatedAt: '2099-01-01T00:00:00Z' },
      ],
    });
    expect(profiles.status).toBe(400);
    expect(profiles.body.error.errors).toEqual([tooFarAhead(1, 'updatedAt')]);
    expect((await getJson(fixture, '/api/v1/subscribers/sub-emma')).body.subscriber).toEqual(emmaBefore);

    const event = (id: string, occurredAt: string) => ({ id, type: 'added_to_cart', subscriberId: 'sub-emma', occurredAt, productId: 'wool-scarf' });
    const events = await postJson(fixture, '/api/v1/events', { events: [event('cart-1', '2026-11-22T09:30:00Z'), event('cart-2', '9999-12-31T23:59:59Z')] });
    expect(events.status).toBe(400);
    expect(events.body.error).toMatchObject({ code: 'validation_failed', errors: [tooFarAhead(1, 'occurredAt')] });
    // Not applied, and not remembered as processed: the honest event still applies when sent again alone.
    expect((await getJson(fixture, '/api/v1/subscribers/sub-emma')).body.subscriber.cart).toEqual(emmaBefore.cart);
    const honest = await postJson(fixture, '/api/v1/events', { events: [event('cart-1', '2026-11-22T09:30:00Z')] });
    expect(honest.body).toMatchObject({ applied: 1, duplicates: [], stale: [] });
  });

  test('OPENTIME_MAX_CLOCK_SKEW_S sets the limit', async () => {
    const strict = await createApiApp({ maxClockSkewSeconds: 0 });
    const oneSecondAhead = await postJson(strict, '/api/v1/products', { products: [{ id: 'peacoat-navy', stock: 4, updatedAt: '2026-11-22T10:00:01Z' }] });
    expect(oneSecondAhead.status).toBe(400);
    expect(oneSecondAhead.body.error.errors).toEqual([
      { index: 0, path: 'updatedAt', message: 'too far in the future: more than 0 s ahead of the server clock (the latest accepted now is 2026-11-22T10:00:00.000Z)' },
    ]);
    await strict.close();
  });

  test('opentime import rejects such rows by line and writes the others', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-skew-'));
    const file = path.join(dir, 'stock.csv');
    fs.writeFileSync(file, 'id,stock,updatedAt\nquilted-jacket-olive,11,9999-12-31T23:59:59Z\npeacoat-navy,2,2026-11-22T09:00:00Z\n');
    const summary = await importFeed({ ingestion: fixture.database.ingestion, kind: 'products', file, now: () => FIXED_NOW });
    expect(summary).toMatchObject({ rows: 2, updated: 1 });
    expect(summary.rejected).toEqual([
      { line: 2, position: 0, id: 'quilted-jacket-olive', problems: [`updatedAt: ${tooFarAhead(-1, 'updatedAt').message}`] },
    ]);
    expect((await fixture.database.catalogue.getProduct('peacoat-navy'))?.stock).toBe(2);
    const after = await postJson(fixture, '/api/v1/products', { products: [{ id: 'quilted-jacket-olive', stock: 8, updatedAt: '2026-11-22T10:00:00Z' }] });
    expect(after.body.stale).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
