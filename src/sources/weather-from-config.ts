import type { Config } from '../config';
import type { Logger } from '../log';
import { OPEN_METEO_FIELDS, WeatherSource } from './weather-source';

/** The weather provider opens ask (OPENTIME_WEATHER_URL), or none: rules then see weather as unavailable. */
export function weatherSourceFromConfig(
  config: Pick<Config, 'weatherUrl' | 'weatherFields' | 'weatherTimeoutMs' | 'weatherCacheMs' | 'weatherStaleMs' | 'pullBreakerResetMs' | 'pullMaxBytes'>,
  logger?: Logger,
): WeatherSource | undefined {
  if (!config.weatherUrl) return undefined;
  return new WeatherSource({
    urlTemplate: config.weatherUrl,
    fields: config.weatherFields ?? OPEN_METEO_FIELDS,
    timeoutMs: config.weatherTimeoutMs,
    cacheMs: config.weatherCacheMs,
    staleMs: config.weatherStaleMs,
    // The stock source's breaker settings: one policy for every third-party API an open reads.
    breakerResetMs: config.pullBreakerResetMs,
    maxAnswerBytes: config.pullMaxBytes,
    logger,
  });
}
