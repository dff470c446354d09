import type { CampaignPatch } from '../../data/campaign-patches';
import type { Campaign, Product, Subscriber } from '../../data/model';
import type { PatchBatchResult, ProductPatch, SubscriberPatch } from '../../data/patches';
import { anonymousIdsOf, type EventBatchResult, type SubscriberEvent } from '../../data/subscriber-events';
import type { Campaigns } from '../ports/campaigns';
import type { IdentityStore } from '../ports/identity';
import type { Ingestion, PatchBatchOptions } from '../ports/ingestion';
import type { CatalogueCache } from './cached-catalogue';

/** What a write calls once it is over: drop the entries it made stale (here, and in other processes when they are told). */
export type CatalogueInvalidation = Pick<CatalogueCache, 'invalidateProducts' | 'invalidateSubscribers' | 'invalidateCampaigns'>;

/**
 * Ingestion that drops the cache entries of every record a batch touched
 * once it is over, so the next open in this process (JSON or image) reads
 * the new value. Dropped even for stale, refused or failed items: cheap, and
 * never wrong. Other processes drop theirs when they hear of the write
 * (with-catalogue-cache.ts), or at the latest when their entries expire
 * (OPENTIME_FRESHNESS_MS).
 */
export class InvalidatingIngestion implements Ingestion {
  constructor(
    private readonly inner: Ingestion,
    private readonly cache: CatalogueInvalidation,
    private readonly identity: Pick<IdentityStore, 'subscriberIdsFor'>,
  ) {}

  async applyProductPatches(patches: readonly ProductPatch[], options: PatchBatchOptions): Promise<PatchBatchResult> {
    try {
      return await this.inner.applyProductPatches(patches, options);
    } finally {
      this.cache.invalidateProducts(patches.map((patch) => patch.id));
    }
  }

  async applySubscriberPatches(patches: readonly SubscriberPatch[], options: PatchBatchOptions): Promise<PatchBatchResult> {
    try {
      return await this.inner.applySubscriberPatches(patches, options);
    } finally {
      this.cache.invalidateSubscribers(patches.map((patch) => patch.id));
    }
  }

  async applySubscriberEvents(events: readonly SubscriberEvent[], options: { now: Date }): Promise<EventBatchResult> {
    try {
      return await this.inner.applySubscriberEvents(events, options);
    } finally {
      this.cache.invalidateSubscribers(events.flatMap((event) => (event.subscriberId === undefined ? [] : [event.subscriberId])));
      // An anonymous id's events change its subscriber's profile once it is linked (docs/ARCHITECTURE.md, "Identity").
      // If the links cannot be read, those entries expire as any unheard change does (OPENTIME_FRESHNESS_MS).
      const anonymousIds = anonymousIdsOf(events.filter((event) => event.subscriberId === undefined));
      if (anonymousIds.length > 0) {
        const links = await this.identity.subscriberIdsFor(anonymousIds).catch(() => new Map<string, string>());
        this.cache.invalidateSubscribers([...links.values()]);
      }
    }
  }

  async upsertProducts(products: readonly Product[]): Promise<void> {
    try {
      await this.inner.upsertProducts(products);
    } finally {
      this.cache.invalidateProducts(products.map((product) => product.id));
    }
  }

  async upsertSubscribers(subscribers: readonly Subscriber[]): Promise<void> {
    try {
      await this.inner.upsertSubscribers(subscribers);
    } finally {
      this.cache.invalidateSubscribers(subscribers.map((subscriber) => subscriber.id));
    }
  }

  countProducts(): Promise<number> {
    return this.inner.countProducts();
  }
}

/** Campaign writes that drop the cached campaigns they replace. */
export class InvalidatingCampaigns implements Campaigns {
  constructor(
    private readonly inner: Campaigns,
    private readonly cache: CatalogueInvalidation,
  ) {}

  async upsertCampaigns(campaigns: readonly Campaign[]): Promise<void> {
    try {
      await this.inner.upsertCampaigns(campaigns);
    } finally {
      this.cache.invalidateCampaigns(campaigns.map((campaign) => campaign.id));
    }
  }

  async applyCampaignPatches(patches: readonly CampaignPatch[], options: PatchBatchOptions): Promise<PatchBatchResult> {
    try {
      return await this.inner.applyCampaignPatches(patches, options);
    } finally {
      this.cache.invalidateCampaigns(patches.map((patch) => patch.id));
    }
  }

  listCampaigns(): Promise<Campaign[]> {
    return this.inner.listCampaigns();
  }
}
