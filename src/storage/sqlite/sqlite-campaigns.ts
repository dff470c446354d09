import type { Database, Transaction } from 'better-sqlite3';
import { campaignPatchOutcome, type CampaignPatch } from '../../data/campaign-patches';
import type { Campaign } from '../../data/model';
import { idsOf, planPatchBatch, type IncompleteRecordPolicy, type PatchBatchResult } from '../../data/patches';
import type { Campaigns } from '../ports/campaigns';
import type { PatchBatchOptions } from '../ports/ingestion';
import type { SqliteRecords } from './sqlite-records';

/**
 * Campaign records on SQLite: a batch is one transaction. Patches read the
 * stored campaigns and write the plan in one immediate transaction, as
 * product patches do (sqlite-ingestion.ts says why it is synchronous).
 */
export class SqliteCampaigns implements Campaigns {
  private readonly upsertTx: (campaigns: readonly Campaign[]) => void;
  private readonly patchTx: Transaction<(patches: readonly CampaignPatch[], now: Date, policy: IncompleteRecordPolicy) => PatchBatchResult>;

  constructor(
    db: Database,
    private readonly records: SqliteRecords,
  ) {
    this.upsertTx = db.transaction((campaigns: readonly Campaign[]) => {
      for (const campaign of campaigns) records.writeCampaign(campaign);
    });
    this.patchTx = db.transaction((patches, now, policy) => {
      const stored = new Map<string, Campaign>();
      for (const id of idsOf(patches)) {
        const campaign = records.readCampaign(id);
        if (campaign) stored.set(id, campaign);
      }
      const { toWrite, result } = planPatchBatch(patches, stored, (current, patch) => campaignPatchOutcome(current, patch, now), policy);
      for (const campaign of toWrite) records.writeCampaign(campaign);
      return result;
    });
  }

  async upsertCampaigns(campaigns: readonly Campaign[]): Promise<void> {
    if (campaigns.length > 0) this.upsertTx(campaigns);
  }

  async applyCampaignPatches(patches: readonly CampaignPatch[], options: PatchBatchOptions): Promise<PatchBatchResult> {
    return this.patchTx.immediate(patches, options.now, options.onIncomplete);
  }

  async listCampaigns(): Promise<Campaign[]> {
    return this.records.listCampaigns();
  }
}
