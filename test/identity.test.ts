import request from 'supertest';
import { mergeByTime } from '../src/identity/merge-history';
import { subscriberIdFor } from '../src/identity/resolve-identity';
import { ampOpen, createApiApp, getJson, postJson, type ApiApp } from './helpers/api-app';

/**
 * Identity (README "Events", docs/ARCHITECTURE.md "Identity"): events sent
 * with an anonymous id before a shopper is known reach their profile once an
 * `identify` links the id, and the blocks that read the profile show them.
 */
describe('identity through the events API', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp();
  });
  afterEach(() => fixture.close());

  const at = (minute: number): string => new Date(fixture.clock.now.getTime() - (60 - minute) * 60_000).toISOString();
  const events = (list: object[]) => postJson(fixture, '/api/v1/events', { events: list });
  const profile = async (id: string) => (await getJson(fixture, `/api/v1/subscribers/${id}`)).body.subscriber;

  test('an event needs exactly one of subscriberId and anonymousId, and the 400 names the field', async () => {
    const neither = await events([{ id: 'e1', type: 'product_viewed', productId: 'peacoat-navy', occurredAt: at(1) }]);
    expect(neither.status).toBe(400);
    expect(neither.body.error.errors).toEqual([{ index: 0, path: 'subscriberId', message: 'expected exactly one of subscriberId and anonymousId' }]);

    const both = await events([{ id: 'e2', type: 'added_to_cart', productId: 'peacoat-navy', subscriberId: 'sub-emma', anonymousId: 'ck-1', occurredAt: at(1) }]);
    expect(both.status).toBe(400);
    expect(both.body.error.errors).toEqual([{ index: 0, path: 'anonymousId', message: 'expected exactly one of subscriberId and anonymousId, not both' }]);

    // Points belong to a subscriber; an identify names both.
    const points = await events([{ id: 'e3', type: 'points_changed', anonymousId: 'ck-1', delta: 5, occurredAt: at(1) }]);
    expect(points.status).toBe(400);
    expect(points.body.error.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ index: 0, path: 'subscriberId' }), expect.objectContaining({ index: 0, path: 'anonymousId', message: 'unknown field' })]),
    );
    const identify = await events([{ id: 'e4', type: 'identify', anonymousId: 'ck-1', occurredAt: at(1) }]);
    expect(identify.status).toBe(400);
    expect(identify.body.error.errors).toEqual([expect.objectContaining({ index: 0, path: 'subscriberId' })]);
  });

  test('a product viewed anonymously shows in the recommendations once the shopper is identified', async () => {
    const created = await postJson(fixture, '/api/v1/subscribers', {
      subscribers: [{ id: 'sub-noor', firstName: 'Noor', locale: 'en-IE', timeZone: 'Europe/Dublin', currency: 'EUR', country: 'IE' }],
    });
    expect(created.status).toBe(200);
    const picks = async () => (await ampOpen(fixture, 'picks', 'sub-noor')).body.items[0].products.map((card: { name: string }) => card.name) as string[];
    const before = await picks();

    const anonymous = await events([{ id: 'web-1', type: 'product_viewed', anonymousId: 'cookie-7f3a', productId: 'hiking-boot-tan', occurredAt: at(10) }]);
    expect(anonymous.body).toEqual({ received: 1, applied: 1, duplicates: [], stale: [] });
    expect((await profile('sub-noor')).recentViews).toEqual([]);
    expect(await picks()).toEqual(before);

    const identified = await events([{ id: 'login-1', type: 'identify', anonymousId: 'cookie-7f3a', subscriberId: 'sub-noor', occurredAt: at(20) }]);
    expect(identified.body).toEqual({ received: 1, applied: 1, duplicates: [], stale: [] });
    expect((await profile('sub-noor')).recentViews).toEqual(['hiking-boot-tan']);
    const after = await picks();
    expect(after[0]).toMatch(/Hiking Boots/);
    expect(before).not.toContain(after[0]);
    expect(await subscriberIdFor(fixture.storage.identity, { anonymousId: 'cookie-7f3a' })).toBe('sub-noor');
    expect(await subscriberIdFor(fixture.storage.identity, { subscriberId: 'sub-emma' })).toBe('sub-emma');
  });

  test('a second subscriber claiming an identified anonymous id is answered as stale, with the reason', async () => {
    await events([{ id: 'login-1', type: 'identify', anonymousId: 'cookie-7f3a', subscriberId: 'sub-emma', occurredAt: at(1) }]);
    const claim = await events([{ id: 'login-2', type: 'identify', anonymousId: 'cookie-7f3a', subscriberId: 'sub-lena', occurredAt: at(2) }]);
    expect(claim.status).toBe(200);
    expect(claim.body).toEqual({
      received: 1,
      applied: 0,
      duplicates: [],
      stale: [{ index: 0, id: 'login-2', reason: 'anonymous id cookie-7f3a is already linked to another subscriber; its first link wins' }],
    });
  });
});

describe('the OpenAPI document', () => {
  test('shows anonymousId on behaviour events and the identify event', async () => {
    const fixture = await createApiApp();
    try {
      const document = (await request(fixture.app).get('/api/v1/openapi.json')).body;
      type Option = { properties?: Record<string, { const?: string; description?: string }>; required?: string[]; oneOf?: Option[]; anyOf?: Option[] };
      // The event options, however the document nests its unions.
      const flatten = (schema: Option): Option[] => [schema, ...[...(schema.oneOf ?? []), ...(schema.anyOf ?? [])].flatMap(flatten)];
      const options = flatten(document.paths['/api/v1/events'].post.requestBody.content['application/json'].schema.properties.events.items as Option);
      const ofType = (type: string) => options.find((option) => option.properties?.type?.const === type);
      expect(ofType('product_viewed')?.properties?.anonymousId?.description).toMatch(/Exactly one of subscriberId and anonymousId/);
      expect(ofType('identify')?.required).toEqual(expect.arrayContaining(['id', 'occurredAt', 'anonymousId', 'subscriberId']));
    } finally {
      await fixture.close();
    }
  });
});

describe('mergeByTime', () => {
  const t = (second: number): string => new Date(Date.UTC(2026, 10, 22, 10, 0, second)).toISOString();

  test('an entry with no known time counts as of the last profile update, never above the entry over it', () => {
    // "b" came from a profile upsert at 25 s (no time of its own).
    const times = new Map([
      ['a', t(30)],
      ['c', t(10)],
    ]);
    const timeOf = (id: string) => times.get(id);
    expect(mergeByTime(['a', 'b', 'c'], timeOf, new Map([['x', t(20)]]), 50, t(25))).toEqual(['a', 'b', 'x', 'c']);
    expect(mergeByTime(['a', 'b', 'c'], timeOf, new Map([['y', t(27)]]), 50, t(25))).toEqual(['a', 'y', 'b', 'c']);
    // Below an older entry it is no more recent than that one: the list keeps its own order.
    expect(mergeByTime(['c', 'b'], timeOf, new Map([['x', t(20)]]), 50, t(50))).toEqual(['x', 'c', 'b']);
  });

  test('an id in both lists is kept once, where it is more recent; the result is cut at the limit', () => {
    const times = new Map([
      ['a', t(30)],
      ['b', t(20)],
    ]);
    expect(mergeByTime(['a', 'b'], (id) => times.get(id), new Map([['b', t(40)], ['z', t(1)]]), 50, t(0))).toEqual(['b', 'a', 'z']);
    expect(mergeByTime(['a', 'b'], (id) => times.get(id), new Map([['a', t(5)]]), 50, t(0))).toEqual(['a', 'b']);
    expect(mergeByTime(['a', 'b'], (id) => times.get(id), new Map([['x', t(25)]]), 2, t(0))).toEqual(['a', 'x']);
  });
});
