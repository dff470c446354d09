import type { CampaignPatch } from '../../data/campaign-patches';
import type { Campaign } from '../../data/model';
import type { PatchBatchResult } from '../../data/patches';
import type { PatchBatchOptions } from './ingestion';

/**
 * Where campaign records are written: by the campaigns API, `opentime
 * campaign`, the campaigns file at start-up and demo seeding. Opens read
 * them through the catalogue reader (`getCampaign`), with the subscriber and
 * the products.
 *
 * Promises every implementation keeps (test/storage/contract.ts):
 * - a write resolves only once committed; a batch is all or nothing;
 * - patches follow the product rules (storage/ports/ingestion.ts): fields a
 *   patch leaves out keep their stored value, a patch older than the stored
 *   `updatedAt` is reported stale and not applied, a new campaign without a
 *   name is reported incomplete and, under `abort`, nothing is written.
 */
export interface Campaigns {
  /** Whole records, written as given (demo seeding), in one transaction; resolves once committed. */
  upsertCampaigns(campaigns: readonly Campaign[]): Promise<void>;
  /** Creates and updates, in one transaction that reads what it touches before it writes. */
  applyCampaignPatches(patches: readonly CampaignPatch[], options: PatchBatchOptions): Promise<PatchBatchResult>;
  /** Every campaign, by id (campaigns are few: a list for people and tools, never read by an open). */
  listCampaigns(): Promise<Campaign[]>;
}
