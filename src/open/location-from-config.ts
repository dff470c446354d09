import type { Config } from '../config';
import type { Logger } from '../log';
import { weatherSourceFromConfig } from '../sources/weather-from-config';
import type { WeatherSource } from '../sources/weather-source';
import { openPlaces, type OpenPlaces } from './location-at-open';
import { LocationDatabase } from './location-database';

export interface PlacesFromConfig {
  places: OpenPlaces;
  /** Set when OPENTIME_GEOIP_DB names a database (or the demo's default). */
  locationDatabase?: LocationDatabase;
  /** Set when OPENTIME_WEATHER_URL is; the owner closes it on shutdown. */
  weatherSource?: WeatherSource;
}

/**
 * Where opens are placed: the GeoIP database read once now (a missing or
 * unreadable file throws a ConfigError naming OPENTIME_GEOIP_DB and the
 * path, which stops start-up) and the weather provider.
 */
export function placesFromConfig(config: Pick<Config, 'geoipDb'> & Parameters<typeof weatherSourceFromConfig>[0], logger?: Logger): PlacesFromConfig {
  const locationDatabase = config.geoipDb === undefined ? undefined : LocationDatabase.open(config.geoipDb);
  const weatherSource = weatherSourceFromConfig(config, logger);
  if (locationDatabase) logger?.debug({ file: locationDatabase.file, type: locationDatabase.databaseType }, 'GeoIP database loaded');
  return { places: openPlaces({ locator: locationDatabase, weather: weatherSource }), locationDatabase, weatherSource };
}
