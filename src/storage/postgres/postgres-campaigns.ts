import type { Pool } from 'pg';
import { campaignPatchOutcome, type CampaignPatch } from '../../data/campaign-patches';
import type { Campaign } from '../../data/model';
import { idsOf, planPatchBatch, type PatchBatchResult } from '../../data/patches';
import type { Campaigns } from '../ports/campaigns';
import type { PatchBatchOptions } from '../ports/ingestion';
import { ConcurrentWriteConflict, inTransaction } from './connection';
import { catalogueRecords } from './postgres-records';

/**
 * Campaign records on PostgreSQL. Patches lock what they touch and write the
 * plan in one transaction, as product patches do (postgres-ingestion.ts: a
 * campaign another connection created meanwhile reruns the batch).
 */
export class PostgresCampaigns implements Campaigns {
  constructor(private readonly pool: Pool) {}

  async upsertCampaigns(campaigns: readonly Campaign[]): Promise<void> {
    if (campaigns.length > 0) await inTransaction(this.pool, (client) => catalogueRecords.upsertCampaigns(client, campaigns));
  }

  async applyCampaignPatches(patches: readonly CampaignPatch[], options: PatchBatchOptions): Promise<PatchBatchResult> {
    return inTransaction(this.pool, async (client) => {
      const stored = await catalogueRecords.lockCampaigns(client, idsOf(patches));
      const { toWrite, result } = planPatchBatch(patches, stored, (current, patch) => campaignPatchOutcome(current, patch, options.now), options.onIncomplete);
      await catalogueRecords.upsertCampaigns(client, toWrite.filter((campaign) => stored.has(campaign.id)));
      const created = toWrite.filter((campaign) => !stored.has(campaign.id));
      if ((await catalogueRecords.insertNewCampaigns(client, created)) < created.length) throw new ConcurrentWriteConflict('a campaign this batch creates');
      return result;
    });
  }

  async listCampaigns(): Promise<Campaign[]> {
    return catalogueRecords.listCampaigns(this.pool);
  }
}
