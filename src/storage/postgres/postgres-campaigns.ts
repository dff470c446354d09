import type { Pool } from 'pg';
import type { Campaign } from '../../data/model';
import type { Campaigns } from '../ports/campaigns';
import { catalogueRecords } from './postgres-records';

/** Campaign records on PostgreSQL: a batch is one statement, so one transaction. */
export class PostgresCampaigns implements Campaigns {
  constructor(private readonly pool: Pool) {}

  async upsertCampaigns(campaigns: readonly Campaign[]): Promise<void> {
    await catalogueRecords.upsertCampaigns(this.pool, campaigns);
  }
}
