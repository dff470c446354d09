import { PullSource, PullSourceError, type PullClock, type PullFormat, type PullFreshness, type PullSourceStats } from './pull-source';
import { remainingWaitMs } from './open-wait-budget';
import type { Logger } from '../log';

/**
 * The weather at an open's place (README "Location and weather at open"):
 * any provider with a JSON API, asked on a URL template with `{lat}` and
 * `{lon}`, through the pull-source machinery (sources/pull-source.ts: one
 * call per key at a time, a deadline, a size limit, the last good answer
 * when the provider fails, an opossum circuit breaker) and within the open's
 * wait budget (sources/open-wait-budget.ts). Places are rounded to a tenth
 * of a degree (about 11 km), so opens from one town share one cached answer.
 */

/** What rules compare: a small fixed vocabulary, whatever words or codes the provider uses. */
export type WeatherCondition = 'clear' | 'cloudy' | 'fog' | 'drizzle' | 'rain' | 'snow' | 'thunderstorm' | 'unknown';

/** One answer of the provider, read through the field paths. */
export interface WeatherReading {
  readonly temperatureC: number;
  readonly condition: WeatherCondition;
  /** Rain, snow, drizzle or a storm now (or precipitation above 0 mm). */
  readonly precipitating: boolean;
}

/** The weather an open sees, and how fresh it is. */
export interface WeatherReport extends WeatherReading {
  readonly freshness: PullFreshness;
}

/**
 * Where each figure sits in the provider's JSON, as dotted paths
 * ("current.temperature_2m"). `temperatureC` is required; the condition comes
 * from a WMO weather code (`weatherCode`) or a word (`condition`); the
 * precipitation in mm (`precipitationMm`) also tells whether it is
 * precipitating.
 */
export interface WeatherFields {
  temperatureC: string;
  weatherCode?: string;
  condition?: string;
  precipitationMm?: string;
}

/**
 * Open-Meteo's answer to
 * https://api.open-meteo.com/v1/forecast?latitude={lat}&longitude={lon}&current=temperature_2m,precipitation,weather_code
 * (https://open-meteo.com/en/docs): the default shape.
 */
export const OPEN_METEO_FIELDS: WeatherFields = Object.freeze({
  temperatureC: 'current.temperature_2m',
  weatherCode: 'current.weather_code',
  precipitationMm: 'current.precipitation',
});

const PRECIPITATION: ReadonlySet<WeatherCondition> = new Set<WeatherCondition>(['drizzle', 'rain', 'snow', 'thunderstorm']);

/** WMO code table 4677 as Open-Meteo documents it (https://open-meteo.com/en/docs, "WMO Weather interpretation codes"). */
export function conditionOfWmoCode(code: number): WeatherCondition {
  if (code === 0 || code === 1) return 'clear';
  if (code === 2 || code === 3) return 'cloudy';
  if (code === 45 || code === 48) return 'fog';
  if (code >= 51 && code <= 57) return 'drizzle';
  if ((code >= 61 && code <= 67) || (code >= 80 && code <= 82)) return 'rain';
  if ((code >= 71 && code <= 77) || code === 85 || code === 86) return 'snow';
  if (code >= 95 && code <= 99) return 'thunderstorm';
  return 'unknown';
}

/** A provider's word ("Light rain showers", "Overcast") in the fixed vocabulary; the first that matches wins. */
const WORDS: readonly [RegExp, WeatherCondition][] = [
  [/thunder|storm/, 'thunderstorm'],
  [/snow|sleet|blizzard|ice|hail/, 'snow'],
  [/drizzle/, 'drizzle'],
  [/rain|shower/, 'rain'],
  [/fog|mist|haze/, 'fog'],
  [/cloud|overcast/, 'cloudy'],
  [/clear|sun|fair/, 'clear'],
];

export function conditionOfWord(word: string): WeatherCondition {
  const text = word.toLowerCase();
  return WORDS.find(([pattern]) => pattern.test(text))?.[1] ?? 'unknown';
}

function valueAt(json: unknown, path: string): unknown {
  let value = json;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function finiteAt(json: unknown, path: string): number | undefined {
  const value = valueAt(json, path);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The provider's answers read through `fields`; an answer without a temperature is a failure. */
function weatherFormat(fields: WeatherFields): PullFormat<WeatherReading> {
  return {
    placeholders: ['{lat}', '{lon}'],
    url: (urlTemplate, place) => {
      const [lat = '', lon = ''] = place.split(',');
      return urlTemplate.replaceAll('{lat}', lat).replaceAll('{lon}', lon);
    },
    parse: (json) => {
      const temperatureC = finiteAt(json, fields.temperatureC);
      if (temperatureC === undefined) throw new PullSourceError(`Unexpected answer from the weather provider: expected a number at ${fields.temperatureC}`);
      const code = fields.weatherCode === undefined ? undefined : finiteAt(json, fields.weatherCode);
      const word = fields.condition === undefined ? undefined : valueAt(json, fields.condition);
      const condition = code !== undefined ? conditionOfWmoCode(code) : typeof word === 'string' ? conditionOfWord(word) : 'unknown';
      const precipitationMm = fields.precipitationMm === undefined ? undefined : finiteAt(json, fields.precipitationMm);
      return Object.freeze({ temperatureC, condition, precipitating: PRECIPITATION.has(condition) || (precipitationMm ?? 0) > 0 });
    },
  };
}

/** A place rounded to a tenth of a degree, as the cache key and the URL's {lat} and {lon}: "51.5,-0.1". */
export function roundedPlace(latitude: number, longitude: number): string {
  const tenth = (degrees: number): string => (Math.round(degrees * 10) / 10).toFixed(1);
  return `${tenth(latitude)},${tenth(longitude)}`;
}

export interface WeatherSourceOptions {
  /** e.g. https://api.open-meteo.com/v1/forecast?latitude={lat}&longitude={lon}&current=temperature_2m,precipitation,weather_code */
  urlTemplate: string;
  /** Where the figures sit in the answer; default: Open-Meteo's. */
  fields?: WeatherFields;
  /** Longest one call may take (ms); default 80, and never more than what is left of the open's wait budget. */
  timeoutMs?: number;
  /** How long an answer is reused for a place (ms); default 10 minutes. */
  cacheMs?: number;
  /** How old an answer may be and still be served when the provider fails (ms); default 3 hours. */
  staleMs?: number;
  breakerResetMs?: number;
  breakerVolumeThreshold?: number;
  maxAnswerBytes?: number;
  logger?: Logger;
  clock?: PullClock;
}

export class WeatherSource {
  private readonly pull: PullSource<WeatherReading>;

  constructor(options: WeatherSourceOptions) {
    this.pull = new PullSource<WeatherReading>({
      urlTemplate: options.urlTemplate,
      format: weatherFormat(options.fields ?? OPEN_METEO_FIELDS),
      timeoutMs: options.timeoutMs,
      cacheMs: options.cacheMs ?? 600_000,
      staleMs: options.staleMs ?? 3 * 3_600_000,
      breakerResetMs: options.breakerResetMs,
      breakerVolumeThreshold: options.breakerVolumeThreshold,
      maxAnswerBytes: options.maxAnswerBytes,
      // Places, not products: a few thousand rounded places cover a country.
      maxEntries: 20_000,
      logger: options.logger,
      clock: options.clock,
    });
  }

  /** The provider's host, for logs and metrics. */
  get name(): string {
    return this.pull.name;
  }

  /**
   * The weather at a point, or undefined when there is none to use (the
   * provider failing with no answer for the place in the last `staleMs`).
   * Waits at most what is left of the open's wait budget.
   */
  async at(latitude: number, longitude: number): Promise<WeatherReport | undefined> {
    const waitMs = remainingWaitMs(this.pull.timeoutMs, this.pull.now());
    const pulled = await this.pull.read(roundedPlace(latitude, longitude), waitMs);
    return pulled && { ...pulled.figures, freshness: pulled.freshness };
  }

  stats(): PullSourceStats {
    return this.pull.stats();
  }

  /** Resolves once no call to the provider is running. */
  idle(): Promise<void> {
    return this.pull.idle();
  }

  warmUp(): Promise<void> {
    return this.pull.warmUp();
  }

  close(): void {
    this.pull.close();
  }
}
