import type { Config } from '../config';
import type { Store } from '../data/store';
import type { Logger } from '../log';
import { PullSource } from './pull-source';
import { PulledStore, productIdMatcher } from './pulled-store';

/**
 * The store opens read: the catalogue itself, or, when OPENTIME_PULL_URL is
 * set, the catalogue with the retailer's live stock and price laid over the
 * products OPENTIME_PULL_PRODUCTS covers (all by default).
 */
export function openStoreFromConfig(
  config: Pick<Config, 'pullUrl' | 'pullTimeoutMs' | 'pullCacheMs' | 'pullStaleMs' | 'pullProducts' | 'pullBreakerResetMs' | 'pullAuthorization' | 'pullMaxBytes'>,
  catalogue: Store,
  logger?: Logger,
): { openStore: Store; pullSource?: PullSource } {
  if (!config.pullUrl) return { openStore: catalogue };
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
  return { openStore: new PulledStore(catalogue, pullSource, productIdMatcher(config.pullProducts)), pullSource };
}
