import type { Campaign, Product, Subscriber } from './model';
import type { ExpiringRecordsStore, Impression, Store } from './store';
import type { BlockLockStore, FrozenView } from './locks';
import type { ClickRecord, RenderLogStore, RenderRecord, ReportCounts } from '../render-log/render-record';
import type { IncompleteRecordPolicy, PatchBatchResult, ProductPatch, SubscriberPatch } from './patches';
import type { EventBatchResult, SubscriberEvent } from './subscriber-events';
import { CATALOGUE_SQL } from '../storage/sqlite/sqlite-records';
import { openSqliteStorage, type SqliteStorage } from '../storage/sqlite/sqlite-storage';
import type { SqliteConnectionOptions } from '../storage/sqlite/connection';

export type SqliteStoreOptions = SqliteConnectionOptions;

/** The catalogue's SQL (storage/sqlite/sqlite-records.ts). */
export const SQL = CATALOGUE_SQL;

/**
 * The former all-in-one store, kept only while its callers move to the
 * storage ports (storage/storage.ts): every method forwards to the port of
 * storage/sqlite/ that now holds it.
 */
export class SqliteStore implements Store, RenderLogStore, BlockLockStore, ExpiringRecordsStore {
  static open(file: string, options: SqliteStoreOptions = {}): SqliteStore {
    return new SqliteStore(openSqliteStorage(file, options));
  }

  private constructor(readonly storage: SqliteStorage) {}

  schemaVersion(): number {
    return this.storage.schemaVersion();
  }

  journalMode(): string {
    return this.storage.journalMode();
  }

  explain(name: keyof typeof SQL, ...params: unknown[]): string[] {
    return this.storage.explain(name, ...params);
  }

  getProduct(id: string): Promise<Product | undefined> {
    return this.storage.catalogue.getProduct(id);
  }

  getProducts(ids: readonly string[]): Promise<Product[]> {
    return this.storage.catalogue.getProducts(ids);
  }

  bestSellersInCategory(category: string, limit: number, excludeIds: readonly string[] = []): Promise<Product[]> {
    return this.storage.catalogue.bestSellersInCategory(category, limit, excludeIds);
  }

  bestSellers(limit: number, excludeIds: readonly string[] = []): Promise<Product[]> {
    return this.storage.catalogue.bestSellers(limit, excludeIds);
  }

  getSubscriber(id: string): Promise<Subscriber | undefined> {
    return this.storage.catalogue.getSubscriber(id);
  }

  getCampaign(id: string): Promise<Campaign | undefined> {
    return this.storage.catalogue.getCampaign(id);
  }

  upsertProducts(products: readonly Product[]): Promise<void> {
    return this.storage.ingestion.upsertProducts(products);
  }

  upsertSubscribers(subscribers: readonly Subscriber[]): Promise<void> {
    return this.storage.ingestion.upsertSubscribers(subscribers);
  }

  upsertCampaigns(campaigns: readonly Campaign[]): Promise<void> {
    return this.storage.campaigns.upsertCampaigns(campaigns);
  }

  countProducts(): Promise<number> {
    return this.storage.ingestion.countProducts();
  }

  applyProductPatches(patches: readonly ProductPatch[], options: { now: Date; onIncomplete: IncompleteRecordPolicy }): Promise<PatchBatchResult> {
    return this.storage.ingestion.applyProductPatches(patches, options);
  }

  applySubscriberPatches(patches: readonly SubscriberPatch[], options: { now: Date; onIncomplete: IncompleteRecordPolicy }): Promise<PatchBatchResult> {
    return this.storage.ingestion.applySubscriberPatches(patches, options);
  }

  applySubscriberEvents(events: readonly SubscriberEvent[], options: { now: Date }): Promise<EventBatchResult> {
    return this.storage.ingestion.applySubscriberEvents(events, options);
  }

  recordImpressions(impressions: readonly Impression[]): Promise<void> {
    return this.storage.impressions.record(impressions);
  }

  getImpression(subscriberId: string, campaignId: string, blockId: string): Promise<Impression | undefined> {
    return this.storage.impressions.latest(subscriberId, campaignId, blockId);
  }

  recordRenders(records: readonly RenderRecord[]): Promise<void> {
    return this.storage.renderLog.appendRenders(records);
  }

  recordClicks(records: readonly ClickRecord[]): Promise<void> {
    return this.storage.renderLog.appendClicks(records);
  }

  async pruneRenderLog(before: Date, limit: number): Promise<number> {
    return (await this.storage.retention.pruneRenders(before, limit)) + (await this.storage.retention.pruneClicks(before, limit));
  }

  campaignReportCounts(campaignId: string): Promise<ReportCounts[]> {
    return this.storage.renderLog.campaignReportCounts(campaignId);
  }

  getBlockLock(campaignId: string, blockId: string, subscriberId: string): Promise<FrozenView | undefined> {
    return this.storage.locks.get(campaignId, blockId, subscriberId);
  }

  insertBlockLocks(locks: readonly FrozenView[]): Promise<boolean[]> {
    return this.storage.locks.claim(locks);
  }

  pruneBlockLocks(before: Date, limit: number): Promise<number> {
    return this.storage.retention.pruneBlockLocks(before, limit);
  }

  pruneImpressions(before: Date, limit: number): Promise<number> {
    return this.storage.retention.pruneImpressions(before, limit);
  }

  pruneIngestedEvents(before: Date, limit: number): Promise<number> {
    return this.storage.retention.pruneIngestedEvents(before, limit);
  }

  pruneCartEventTimes(before: Date, limit: number): Promise<number> {
    return this.storage.retention.pruneCartEventTimes(before, limit);
  }

  close(): Promise<void> {
    return this.storage.close();
  }
}
