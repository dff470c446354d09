import type { Storage } from '../storage';
import { CachedCatalogue, type CatalogueCacheOptions } from './cached-catalogue';
import { InvalidatingCampaigns, InvalidatingIngestion } from './catalogue-invalidation';

/**
 * The same storage with the catalogue cache in front of its catalogue reader,
 * and its catalogue writes dropping what they make stale. Only the catalogue
 * is cached: impressions, locks and the render log have their own batching
 * (recording/), and must reach the database to be seen by other processes.
 */
export function withCatalogueCache(storage: Storage, options: CatalogueCacheOptions): Storage {
  const cache = new CachedCatalogue(storage.catalogue, options);
  return {
    catalogue: cache,
    ingestion: new InvalidatingIngestion(storage.ingestion, cache),
    campaigns: new InvalidatingCampaigns(storage.campaigns, cache),
    impressions: storage.impressions,
    renderLog: storage.renderLog,
    locks: storage.locks,
    retention: storage.retention,
    catalogueCache: cache,
    ping: () => storage.ping(),
    close: () => storage.close(),
  };
}
