import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../src/config';
import { buildFacts } from '../src/rules/facts';
import { compileRule } from '../src/rules/rule';
import { buildOpen } from '../src/open/open';
import { openPlaces } from '../src/open/location-at-open';
import { LocationDatabase } from '../src/open/location-database';
import type { PreparedBlock } from '../src/blocks/prepared-block';
import { conditionOfWmoCode, conditionOfWord, roundedPlace, WeatherSource, type WeatherSourceOptions } from '../src/sources/weather-source';
import { weatherSourceFromConfig } from '../src/sources/weather-from-config';
import { ManualClock } from './helpers/manual-clock';
import path from 'node:path';

/**
 * A fake weather provider on loopback, answering Open-Meteo's shape: what it
 * answers is set per test (figures, an error, or nothing until the test lets
 * it). Tests wait on what it receives, never on the wall clock.
 */
type Answer = { kind: 'ok'; body: unknown } | { kind: 'fail'; status: number } | { kind: 'held' };

interface FakeProvider {
  urlTemplate: string;
  /** The query strings asked, in order. */
  calls: string[];
  answer: Answer;
  close(): Promise<void>;
}

async function startFakeProvider(): Promise<FakeProvider> {
  const held: http.ServerResponse[] = [];
  const fake = { calls: [] as string[], answer: { kind: 'fail', status: 500 } as Answer };
  const server = http.createServer((req, res) => {
    fake.calls.push(new URL(req.url ?? '/', 'http://x').search);
    const answer = fake.answer;
    if (answer.kind === 'ok') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    else if (answer.kind === 'fail') res.writeHead(answer.status).end('provider broke');
    else held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    urlTemplate: `http://127.0.0.1:${port}/v1/forecast?latitude={lat}&longitude={lon}&current=temperature_2m,precipitation,weather_code`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held.splice(0)) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Open-Meteo's answer for the current weather (https://open-meteo.com/en/docs). */
const openMeteo = (temperature: number, code: number, precipitation = 0) => ({
  latitude: 51.5,
  longitude: -0.1,
  current_units: { temperature_2m: '°C' },
  current: { time: '2026-11-22T10:00', temperature_2m: temperature, precipitation, weather_code: code },
});

const LONDON = { latitude: 51.5142, longitude: -0.0931 };
const CLOCK_START = Date.parse('2026-11-22T10:00:00.000Z');
const MINUTE = 60_000;

describe('weather source', () => {
  let fake: FakeProvider;
  let clock: ManualClock;
  let weather: WeatherSource | undefined;
  const source = (options: Partial<WeatherSourceOptions> = {}): WeatherSource => (weather = new WeatherSource({ urlTemplate: fake.urlTemplate, clock, ...options }));

  beforeEach(async () => {
    clock = ManualClock.install(CLOCK_START);
    fake = await startFakeProvider();
  });
  afterEach(async () => {
    weather?.close();
    weather = undefined;
    await fake.close();
    clock.uninstall();
  });

  test('fresh: the provider is asked at the place rounded to 0.1°, and its answer read as temperature, condition and precipitation', async () => {
    fake.answer = { kind: 'ok', body: openMeteo(3.5, 61, 0.4) };
    expect(await source().at(LONDON.latitude, LONDON.longitude)).toEqual({ temperatureC: 3.5, condition: 'rain', precipitating: true, freshness: 'live' });
    expect(fake.calls).toEqual(['?latitude=51.5&longitude=-0.1&current=temperature_2m,precipitation,weather_code']);
  });

  test('cached: a second open nearby within the cache time asks nobody; after it, the provider is asked again', async () => {
    const weatherSource = source({ cacheMs: 10 * MINUTE });
    fake.answer = { kind: 'ok', body: openMeteo(6, 3) };
    await weatherSource.at(LONDON.latitude, LONDON.longitude);
    fake.answer = { kind: 'ok', body: openMeteo(14, 0) };
    clock.advance(9 * MINUTE);
    // 51.53,-0.12 is the same rounded place as the first open.
    expect(await weatherSource.at(51.53, -0.12)).toEqual({ temperatureC: 6, condition: 'cloudy', precipitating: false, freshness: 'cached' });
    expect(fake.calls).toHaveLength(1);
    clock.advance(1 * MINUTE);
    expect(await weatherSource.at(51.53, -0.12)).toEqual({ temperatureC: 14, condition: 'clear', precipitating: false, freshness: 'live' });
    expect(fake.calls).toHaveLength(2);
  });

  test('stale: when the provider fails, the last good answer for the place is served, marked stale, until it is too old', async () => {
    const weatherSource = source({ cacheMs: 10 * MINUTE, staleMs: 60 * MINUTE });
    fake.answer = { kind: 'ok', body: openMeteo(-2, 73) };
    await weatherSource.at(LONDON.latitude, LONDON.longitude);
    fake.answer = { kind: 'fail', status: 503 };
    clock.advance(30 * MINUTE);
    expect(await weatherSource.at(LONDON.latitude, LONDON.longitude)).toEqual({ temperatureC: -2, condition: 'snow', precipitating: true, freshness: 'stale' });
    clock.advance(31 * MINUTE);
    expect(await weatherSource.at(LONDON.latitude, LONDON.longitude)).toBeUndefined();
    expect(weatherSource.stats()).toMatchObject({ live: 1, stale: 1, unavailable: 1, failures: 2 });
  });

  test('unavailable: a failing provider, an answer without a temperature, or one slower than the wait give no weather', async () => {
    const weatherSource = source({ timeoutMs: 80 });
    fake.answer = { kind: 'fail', status: 500 };
    expect(await weatherSource.at(LONDON.latitude, LONDON.longitude)).toBeUndefined();
    fake.answer = { kind: 'ok', body: { current: { weather_code: 3 } } };
    expect(await weatherSource.at(40, -3.7)).toBeUndefined();
    fake.answer = { kind: 'held' };
    const slow = weatherSource.at(35.7, 139.7);
    while (fake.calls.length < 3) await new Promise((resolve) => setImmediate(resolve));
    // The open waits the timeout on its clock and no longer.
    clock.advance(80);
    expect(await slow).toBeUndefined();
    // Its call was aborted at the same deadline: a failure, counted once it has ended.
    await weatherSource.idle();
    expect(weatherSource.stats()).toMatchObject({ unavailable: 3, failures: 3 });
  });

  test('a provider that keeps failing opens the breaker: opens stop calling it for a while', async () => {
    const weatherSource = source({ cacheMs: 0, breakerVolumeThreshold: 3 });
    fake.answer = { kind: 'fail', status: 500 };
    for (let i = 0; i < 3; i++) await weatherSource.at(10 + i, 10);
    expect(weatherSource.stats().breaker).toBe('open');
    expect(await weatherSource.at(20, 20)).toBeUndefined();
    expect(fake.calls).toHaveLength(3);
  });

  test('another provider: field paths name where the figures are, and its words map to the conditions rules compare', async () => {
    const weatherSource = source({ fields: { temperatureC: 'now.temp', condition: 'now.summary' } });
    fake.answer = { kind: 'ok', body: { now: { temp: 11.2, summary: 'Light rain showers' } } };
    expect(await weatherSource.at(1, 1)).toEqual({ temperatureC: 11.2, condition: 'rain', precipitating: true, freshness: 'live' });
    expect([conditionOfWord('Overcast'), conditionOfWord('Thunderstorm with hail'), conditionOfWord('Mist'), conditionOfWord('Sunny'), conditionOfWord('Windy')]).toEqual([
      'cloudy',
      'thunderstorm',
      'fog',
      'clear',
      'unknown',
    ]);
    expect([0, 2, 45, 53, 65, 81, 75, 95, 200].map(conditionOfWmoCode)).toEqual(['clear', 'cloudy', 'fog', 'drizzle', 'rain', 'rain', 'snow', 'thunderstorm', 'unknown']);
    expect(roundedPlace(-0.04, 179.96)).toBe('0.0,180.0');
  });

  test('rules see the weather at an address-located open, and see it unavailable when the provider fails', async () => {
    const database = LocationDatabase.open(path.join(__dirname, '..', 'vendor', 'geoip', 'GeoLite2-City-Test.mmdb'));
    const places = openPlaces({ locator: database, weather: source() });
    const coldBlock = { config: { id: 'outerwear', variants: [{ when: { '<': [{ var: 'weather.temperatureC' }, 8] } }] } } as unknown as PreparedBlock;
    const cold = compileRule({ and: [{ var: 'weather.available' }, { '<': [{ var: 'weather.temperatureC' }, 8] }] }, 'test');
    const factsAt = async (address: string) => {
      const place = await places.of({ client: 'direct', address, subscriber: null }, coldBlock);
      return buildFacts(buildOpen({ now: new Date(CLOCK_START), subscriber: null, campaign: null, client: 'direct', place }));
    };
    fake.answer = { kind: 'ok', body: openMeteo(4, 2) };
    const london = await factsAt('81.2.69.142');
    expect(london.weather).toEqual({ available: true, temperatureC: 4, condition: 'cloudy', precipitating: false, freshness: 'live' });
    expect(cold(london)).toBe(true);
    fake.answer = { kind: 'fail', status: 500 };
    const milton = await factsAt('216.160.83.56');
    expect(milton.weather).toEqual({ available: false, temperatureC: null, condition: null, precipitating: null, freshness: null });
    expect(cold(milton)).toBe(false);
    // A block whose rules name no weather fact never waits for the provider.
    const calls = fake.calls.length;
    const plain = await places.of({ client: 'direct', address: '89.160.20.112', subscriber: null }, { config: { id: 'plain' } } as unknown as PreparedBlock);
    expect(plain.weather).toBeNull();
    expect(fake.calls).toHaveLength(calls);
  });
});

describe('weather settings', () => {
  test('OPENTIME_WEATHER_URL needs {lat} and {lon}; OPENTIME_WEATHER_FIELDS needs name=path pairs with a temperature', () => {
    expect(() => loadConfig({ OPENTIME_WEATHER_URL: 'https://api.weather.example/now?q={lat}' })).toThrow(
      /OPENTIME_WEATHER_URL="https:\/\/api\.weather\.example\/now\?q=\{lat\}": expected an http\(s\) URL template containing \{lat\} and \{lon\}/,
    );
    expect(() => loadConfig({ OPENTIME_WEATHER_FIELDS: 'condition=now.summary' })).toThrow(/OPENTIME_WEATHER_FIELDS="condition=now.summary": expected a temperatureC=path pair/);
    expect(() => loadConfig({ OPENTIME_WEATHER_FIELDS: 'temp=now.t' })).toThrow(ConfigError);
    const config = loadConfig({ OPENTIME_WEATHER_URL: 'https://api.weather.example/now?lat={lat}&lon={lon}', OPENTIME_WEATHER_FIELDS: 'temperatureC=now.temp, condition=now.summary' });
    expect(config.weatherFields).toEqual({ temperatureC: 'now.temp', condition: 'now.summary' });
    const weatherSource = weatherSourceFromConfig(config);
    expect(weatherSource?.name).toBe('api.weather.example');
    weatherSource?.close();
    expect(weatherSourceFromConfig(loadConfig({}))).toBeUndefined();
  });
});
