import type { CatalogueChanges } from '../../scale-out/catalogue-changes';
import type { Storage } from '../storage';
import { CachedCatalogue, type CatalogueCacheOptions } from './cached-catalogue';
import { InvalidatingCampaigns, InvalidatingIngestion, type CatalogueInvalidation } from './catalogue-invalidation';

export interface WithCatalogueCacheOptions extends CatalogueCacheOptions {
  /**
   * How this process tells the others serving the same database what its
   * writes made stale, and hears theirs (scale-out/). The storage owns it
   * from here on: closing the storage closes it.
   */
  changes?: CatalogueChanges;
}

/**
 * The same storage with the catalogue cache in front of its catalogue reader,
 * and its catalogue writes dropping what they make stale: in this process at
 * once, and in every other one that `changes` reaches as soon as it hears.
 * Only the catalogue is cached: impressions, locks and the render log have
 * their own batching (recording/), and must reach the database to be seen by
 * other processes.
 */
export function withCatalogueCache(storage: Storage, options: WithCatalogueCacheOptions): Storage {
  const cache = new CachedCatalogue(storage.catalogue, options);
  const changes = options.changes;
  let invalidation: CatalogueInvalidation = cache;
  if (changes) {
    changes.subscribe((change) => {
      if (change.products) cache.invalidateProducts(change.products);
      if (change.subscribers) cache.invalidateSubscribers(change.subscribers);
      if (change.campaigns) cache.invalidateCampaigns(change.campaigns);
    });
    invalidation = {
      invalidateProducts(ids) {
        cache.invalidateProducts(ids);
        changes.publish({ products: ids });
      },
      invalidateSubscribers(ids) {
        cache.invalidateSubscribers(ids);
        changes.publish({ subscribers: ids });
      },
      invalidateCampaigns(ids) {
        cache.invalidateCampaigns(ids);
        changes.publish({ campaigns: ids });
      },
    };
  }
  let closing: Promise<void> | undefined;
  return {
    catalogue: cache,
    ingestion: new InvalidatingIngestion(storage.ingestion, invalidation, storage.identity),
    identity: storage.identity,
    campaigns: new InvalidatingCampaigns(storage.campaigns, invalidation),
    impressions: storage.impressions,
    renderLog: storage.renderLog,
    locks: storage.locks,
    firstOpens: storage.firstOpens,
    retention: storage.retention,
    subscriberLocales: storage.subscriberLocales,
    subscriberSearch: storage.subscriberSearch,
    pollAnswers: storage.pollAnswers,
    notifyRequests: storage.notifyRequests,
    webhookOutbox: storage.webhookOutbox,
    triggerJobs: storage.triggerJobs,
    orders: storage.orders,
    catalogueCache: cache,
    ping: () => storage.ping(),
    close: () =>
      (closing ??= (async () => {
        await changes?.close();
        await storage.close();
      })()),
  };
}
