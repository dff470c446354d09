import type { Config } from '../config';
import type { Logger } from '../log';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import { PullSource } from './pull-source';
import { PulledCatalogue, productIdMatcher } from './pulled-catalogue';

/**
 * The catalogue opens read: the catalogue itself, or, when OPENTIME_PULL_URL
 * is set, the catalogue with the retailer's live stock and price laid over
 * the products OPENTIME_PULL_PRODUCTS covers (all by default).
 */
export function openCatalogueFromConfig(
  config: Pick<Config, 'pullUrl' | 'pullTimeoutMs' | 'pullCacheMs' | 'pullStaleMs' | 'pullProducts' | 'pullBreakerResetMs' | 'pullAuthorization' | 'pullMaxBytes'>,
  catalogue: CatalogueReader,
  logger?: Logger,
): { openCatalogue: CatalogueReader; pullSource?: PullSource } {
  if (!config.pullUrl) return { openCatalogue: catalogue };
  const pullSource = new PullSource({
    urlTemplate: config.pullUrl,
    timeoutMs: config.pullTimeoutMs,
    cacheMs: config.pullCacheMs,
    staleMs: config.pullStaleMs,
    breakerResetMs: config.pullBreakerResetMs,
    authorization: config.pullAuthorization,
    maxAnswerBytes: config.pullMaxBytes,
    logger,
  });
  return { openCatalogue: new PulledCatalogue(catalogue, pullSource, productIdMatcher(config.pullProducts)), pullSource };
}
