import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../src/app';
import { loadBlocksConfig } from '../src/blocks/blocks-config';
import { ConfigError, loadConfig } from '../src/config';
import type { Subscriber } from '../src/data/model';
import { seedDemoDataIfEmpty } from '../src/data/seed';
import { SenderAllowlist } from '../src/http/sender-allowlist';
import type { RecommendationsView } from '../src/kinds/recommendations';
import { createLogger } from '../src/log';
import { ImpressionLog } from '../src/recording/impression-log';
import { createImageLoader } from '../src/render/image-loader';
import { locateOpen, NO_LOCATION } from '../src/open/location';
import { openPlaces } from '../src/open/location-at-open';
import { LocationDatabase } from '../src/open/location-database';
import { placesFromConfig } from '../src/open/location-from-config';
import { buildOpen } from '../src/open/open';
import { drawBlock } from '../src/render/draw-block';
import { buildFacts } from '../src/rules/facts';
import { compileRule, RuleError } from '../src/rules/rule';
import { WeatherSource } from '../src/sources/weather-source';
import { withCatalogueCache } from '../src/storage/cache/with-catalogue-cache';
import { openSqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import { signSubscriberToken } from '../src/tokens/subscriber-token';
import { AUDIENCE, DEMO_BLOCKS_FILE, FIXED_NOW, SENDER, testKeyring } from './helpers/app-fixture';
import { createApiApp, getJson, postJson } from './helpers/api-app';
import type { PreparedBlock } from '../src/blocks/prepared-block';

/** The database the demo and these tests use: MaxMind's GeoLite2 City test database (vendor/geoip, MIT or Apache-2.0). */
const SHIPPED_DB = path.join(__dirname, '..', 'vendor', 'geoip', 'GeoLite2-City-Test.mmdb');
const database = LocationDatabase.open(SHIPPED_DB);

/** Addresses the shipped test database knows (MaxMind-DB source-data/GeoLite2-City-Test.json). */
const LONDON_ADDRESS = '81.2.69.142';
const LINKOPING_ADDRESS = '89.160.20.112';

const lena = {
  id: 'sub-lena',
  firstName: 'Lena',
  locale: 'de-DE',
  timeZone: 'Europe/Berlin',
  currency: 'EUR',
  country: 'DE',
  city: 'Berlin',
  loyaltyPoints: 0,
  loyaltyTier: null,
  recentViews: [],
  cart: [],
  purchases: [],
  updatedAt: '2026-01-01T00:00:00.000Z',
} as unknown as Subscriber;

describe('location at open', () => {
  test('from an address in the shipped test database: country, region, city, coordinates and zone', () => {
    expect(locateOpen({ client: 'direct', address: LONDON_ADDRESS, subscriber: lena }, database)).toEqual({
      source: 'ip',
      country: 'GB',
      region: 'ENG',
      city: 'London',
      latitude: 51.5142,
      longitude: -0.0931,
      timeZone: 'Europe/London',
    });
    // Node's dual-stack sockets report IPv4 peers as IPv4-mapped IPv6; IPv6 is looked up too.
    expect(locateOpen({ client: 'direct', address: `::ffff:${LINKOPING_ADDRESS}`, subscriber: null }, database)).toMatchObject({ source: 'ip', country: 'SE', city: 'Linköping' });
    expect(locateOpen({ client: 'direct', address: '2001:218::1', subscriber: null }, database)).toMatchObject({ source: 'ip', country: 'JP', city: null, timeZone: 'Asia/Tokyo' });
  });

  test.each(['gmail-proxy', 'yahoo-proxy', 'apple-prefetch', 'amp'] as const)('from a mail proxy (%s): the address is not the reader\'s, so the profile location is used', (client) => {
    expect(locateOpen({ client, address: LONDON_ADDRESS, subscriber: lena }, database)).toEqual({
      source: 'profile',
      country: 'DE',
      region: null,
      city: 'Berlin',
      latitude: null,
      longitude: null,
      timeZone: 'Europe/Berlin',
    });
    // With no profile location either, the open has none.
    expect(locateOpen({ client, address: LONDON_ADDRESS, subscriber: null }, database)).toEqual(NO_LOCATION);
  });

  test('from nothing: loopback, private, unknown or missing addresses fall back to the profile, or to none', () => {
    for (const address of ['127.0.0.1', '::1', '10.1.2.3', '192.0.2.7', undefined, 'not an address']) {
      expect(locateOpen({ client: 'direct', address, subscriber: null }, database)).toEqual(NO_LOCATION);
      expect(locateOpen({ client: 'direct', address, subscriber: lena }, database).source).toBe('profile');
    }
    expect(locateOpen({ client: 'direct', address: LONDON_ADDRESS, subscriber: { ...lena, country: null, city: null } }, undefined)).toEqual(NO_LOCATION);
    // No database configured: never `ip`.
    expect(locateOpen({ client: 'direct', address: LONDON_ADDRESS, subscriber: lena }, undefined).source).toBe('profile');
  });

  test('rules see open.location.*, and a misspelt location fact stops start-up', () => {
    const abroad = compileRule({ and: [{ '==': [{ var: 'open.location.source' }, 'ip'] }, { '!=': [{ var: 'open.location.country' }, { var: 'subscriber.country' }] }] }, 'test');
    const factsAt = (address: string | undefined) =>
      buildFacts(buildOpen({ now: FIXED_NOW, subscriber: lena, campaign: null, client: 'direct', place: { location: locateOpen({ client: 'direct', address, subscriber: lena }, database), weather: null } }));
    expect(factsAt(LONDON_ADDRESS).open.location).toMatchObject({ source: 'ip', country: 'GB', city: 'London' });
    expect(abroad(factsAt(LONDON_ADDRESS))).toBe(true);
    expect(abroad(factsAt('127.0.0.1'))).toBe(false);
    // An Open built without a place (the preview, click-time resolution) carries the profile's location.
    expect(buildFacts(buildOpen({ now: FIXED_NOW, subscriber: lena, campaign: null, client: 'direct' })).open.location.source).toBe('profile');
    expect(() => compileRule({ var: 'open.location.cty' }, 'blocks[0].holdBackWhen')).toThrow(RuleError);
    expect(() => compileRule({ var: 'open.location.cty' }, 'blocks[0].holdBackWhen')).toThrow(
      'blocks[0].holdBackWhen.var: unknown fact "open.location.cty"; did you mean "open.location.city"? (expected one of: open.location.source, open.location.country, open.location.region, open.location.city, open.location.latitude, open.location.longitude, open.location.timeZone).',
    );
    expect(() => compileRule({ var: 'open.location.city.name' }, 'w')).toThrow('"open.location.city" is a value with no fields; received "open.location.city.name"');
    expect(() => compileRule({ var: 'weather.temperature' }, 'w')).toThrow(/did you mean "weather\.temperatureC"\?/);
  });
});

describe('OPENTIME_GEOIP_DB', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-geoip-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the demo uses the shipped database; elsewhere none unless set; "off" turns it off', () => {
    expect(loadConfig({}, dir).geoipDb).toBe(SHIPPED_DB);
    expect(loadConfig({ OPENTIME_GEOIP_DB: 'off' }, dir).geoipDb).toBeUndefined();
    expect(loadConfig({ OPENTIME_DEMO: 'false' }, dir).geoipDb).toBeUndefined();
    expect(loadConfig({ OPENTIME_DEMO: 'false', OPENTIME_GEOIP_DB: 'geo/City.mmdb' }, dir).geoipDb).toBe(path.join(dir, 'geo', 'City.mmdb'));
  });

  test('a missing or unreadable file stops start-up naming the setting, the path and what was expected', () => {
    const missing = path.join(dir, 'GeoLite2-City.mmdb');
    expect(() => placesFromConfig({ ...loadConfig({}, dir), geoipDb: missing })).toThrow(ConfigError);
    expect(() => placesFromConfig({ ...loadConfig({}, dir), geoipDb: missing })).toThrow(
      `OPENTIME_GEOIP_DB="${missing}": cannot read the GeoIP database (ENOENT); expected a MaxMind DB file such as GeoLite2-City.mmdb`,
    );
    const notMmdb = path.join(dir, 'cities.csv');
    fs.writeFileSync(notMmdb, 'network,city\n81.2.69.0/24,London\n');
    expect(() => LocationDatabase.open(notMmdb)).toThrow(new RegExp(`^OPENTIME_GEOIP_DB="${notMmdb.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}": not a MaxMind DB file .*; expected a GeoIP2 or GeoLite2 City \\.mmdb file$`));
  });
});

/** A fake weather provider on loopback answering Open-Meteo's shape with one temperature. */
async function startWeatherProvider(temperatureC: number): Promise<{ urlTemplate: string; calls: number; close(): Promise<void> }> {
  const provider = { calls: 0 };
  const server = http.createServer((_req, res) => {
    provider.calls++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ current: { temperature_2m: temperatureC, precipitation: 0, weather_code: 3 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(provider, {
    urlTemplate: `http://127.0.0.1:${port}/v1/forecast?latitude={lat}&longitude={lon}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

describe('the demo picks block at open (image endpoint, behind a trusted proxy)', () => {
  const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';
  const GMAIL = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';

  async function demoApp(temperatureC: number | undefined) {
    const storage = withCatalogueCache(openSqliteStorage(':memory:'), { freshnessMs: 1000 });
    await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.test', now: FIXED_NOW });
    const provider = temperatureC === undefined ? undefined : await startWeatherProvider(temperatureC);
    // A generous timeout: the fake answers at once, and a loaded machine must not turn that into "unavailable".
    const weather = provider && new WeatherSource({ urlTemplate: provider.urlTemplate, timeoutMs: 60_000 });
    const drawn: RecommendationsView[] = [];
    const logger = createLogger('silent', new Writable({ write: (_c, _e, callback) => callback() }));
    const impressionLog = new ImpressionLog(storage.impressions, { startTimer: () => () => undefined, logger });
    const imageLoader = createImageLoader({ publicUrl: 'https://opentime.test', logger, timeoutMs: 60_000 });
    const app = createApp({
      storage,
      blocks: loadBlocksConfig(DEMO_BLOCKS_FILE),
      keyring: testKeyring,
      tokenAudience: AUDIENCE,
      globalAllowlist: SenderAllowlist.parse([SENDER]),
      logger,
      now: () => FIXED_NOW,
      publicUrl: 'https://opentime.test',
      imageLoader,
      impressionLog,
      trustProxy: 'loopback',
      places: openPlaces({ locator: database, weather }),
      perOpenPullBudget: weather !== undefined,
      drawBlock: (view, theme, options) => {
        if (view.kind === 'recommendations') drawn.push(view as RecommendationsView);
        return drawBlock(view, theme, options);
      },
    });
    // Emma's profile says New York, US.
    const token = signSubscriberToken(testKeyring, { subscriberId: 'sub-emma', campaignId: 'flash-sale' }, { audience: AUDIENCE, now: FIXED_NOW });
    const open = async (from: string, userAgent = BROWSER): Promise<RecommendationsView> => {
      const answer = await request(app).get(`/img/v1/blocks/picks.png?t=${token}`).set('X-Forwarded-For', from).set('User-Agent', userAgent);
      expect(answer.headers['x-opentime-outcome']).toBe('view');
      return drawn[drawn.length - 1] as RecommendationsView;
    };
    return {
      open,
      provider,
      storage,
      close: async () => {
        weather?.close();
        await provider?.close();
        await impressionLog.close();
        imageLoader.close();
        await storage.close();
      },
    };
  }

  test('opened in London by a reader whose profile says New York: the traveller variant; through Gmail\'s proxy: the usual picks', async () => {
    const demo = await demoApp(undefined);
    try {
      expect((await demo.open(LONDON_ADDRESS)).title).toBe('Travelling, Emma? Picks for the road');
      expect((await demo.open(LONDON_ADDRESS, GMAIL)).title).toBe('Picked for you, Emma');
      expect((await demo.open('127.0.0.1')).title).toBe('Picked for you, Emma');
    } finally {
      await demo.close();
    }
  });

  test('cold where the reader opens: only outerwear, and the title says so; mild: the usual picks', async () => {
    const cold = await demoApp(3);
    try {
      const view = await cold.open(LONDON_ADDRESS);
      expect(view.title).toBe('Cold out there, Emma? Wrap up warm');
      const categories = await Promise.all(view.products.map(async (card) => (await cold.storage.catalogue.getProduct(card.id))?.category));
      expect(categories.length).toBeGreaterThan(1);
      expect(new Set(categories)).toEqual(new Set(['coats']));
      expect(cold.provider?.calls).toBe(1);
    } finally {
      await cold.close();
    }
    const mild = await demoApp(15);
    try {
      expect((await mild.open(LINKOPING_ADDRESS)).title).toBe('Travelling, Emma? Picks for the road');
    } finally {
      await mild.close();
    }
  });
});

describe('profile coordinates (POST /api/v1/subscribers latitude, longitude)', () => {
  test('stored as sent and validated; a proxied open of a placed profile gets the weather there', async () => {
    const fixture = await createApiApp();
    try {
      const bad = await postJson(fixture, '/api/v1/subscribers', { subscribers: [{ id: 'sub-emma', latitude: 123, longitude: -74 }] });
      expect(bad.status).toBe(400);
      expect(bad.body.error.errors).toEqual([expect.objectContaining({ path: 'latitude', message: expect.stringContaining('expected a latitude in degrees from -90 to 90, or null') })]);
      expect((await postJson(fixture, '/api/v1/subscribers', { subscribers: [{ id: 'sub-emma', latitude: 40.7128, longitude: -74.006 }] })).status).toBe(200);
      const emma = (await getJson(fixture, '/api/v1/subscribers/sub-emma')).body.subscriber as Subscriber;
      expect(emma).toMatchObject({ city: 'New York', latitude: 40.7128, longitude: -74.006 });

      const asked: [number, number][] = [];
      const places = openPlaces({
        locator: database,
        weather: { at: async (latitude, longitude) => (asked.push([latitude, longitude]), { temperatureC: 2, condition: 'snow', precipitating: true, freshness: 'live' }) },
      });
      const block = { config: { id: 'b', holdBackWhen: { var: 'weather.precipitating' } } } as unknown as PreparedBlock;
      const place = await places.of({ client: 'gmail-proxy', address: LONDON_ADDRESS, subscriber: emma }, block);
      expect(place.location).toMatchObject({ source: 'profile', city: 'New York', latitude: 40.7128, longitude: -74.006 });
      expect(place.weather).toMatchObject({ temperatureC: 2, condition: 'snow' });
      expect(asked).toEqual([[40.7128, -74.006]]);
    } finally {
      await fixture.close();
    }
  });
});
