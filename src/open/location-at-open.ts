import type { PreparedBlock } from '../blocks/prepared-block';
import type { WeatherReport, WeatherSource } from '../sources/weather-source';
import { locateOpen, type AddressLocator, type LocationSignals, type OpenLocation } from './location';
import type { OpenPlace } from './open';

/**
 * Where an open was read and the weather there, found once per request
 * before the block resolves (docs/ARCHITECTURE.md, "Location and weather at
 * open"): the location from the address or the profile (open/location.ts),
 * then, only for a block whose rules name a weather fact and a location with
 * coordinates, the weather source, which waits at most what is left of the
 * open's wait budget.
 */
export interface OpenPlaces {
  of(signals: LocationSignals, block: PreparedBlock): Promise<OpenPlace>;
}

export interface OpenPlacesDeps {
  /** The GeoIP database (OPENTIME_GEOIP_DB); none: every location is the profile's or none. */
  locator?: AddressLocator;
  /** The weather provider (OPENTIME_WEATHER_URL); none: weather is never available. */
  weather?: Pick<WeatherSource, 'at'>;
}

/** Whether a block's config names a weather fact anywhere (its rules are the only place one can appear), once per block. */
const namesWeatherByBlock = new WeakMap<PreparedBlock, boolean>();

/** A JSON string that is a weather fact's path: "weather" or "weather.<field>". */
const WEATHER_PATH = /"weather(\.[A-Za-z]+)?"/;

function namesWeather(block: PreparedBlock): boolean {
  let names = namesWeatherByBlock.get(block);
  if (names === undefined) {
    names = WEATHER_PATH.test(JSON.stringify(block.config));
    namesWeatherByBlock.set(block, names);
  }
  return names;
}

export function openPlaces(deps: OpenPlacesDeps): OpenPlaces {
  return {
    async of(signals, block) {
      const location = locateOpen(signals, deps.locator);
      return { location, weather: await weatherAt(location, block) };
    },
  };

  async function weatherAt(location: OpenLocation, block: PreparedBlock): Promise<WeatherReport | null> {
    if (!deps.weather || location.latitude === null || location.longitude === null || !namesWeather(block)) return null;
    return (await deps.weather.at(location.latitude, location.longitude)) ?? null;
  }
}
