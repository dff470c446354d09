import type { Database } from 'better-sqlite3';
import type { Campaign } from '../../data/model';
import type { Campaigns } from '../ports/campaigns';
import type { SqliteRecords } from './sqlite-records';

/** Campaign records on SQLite: a batch is one transaction. */
export class SqliteCampaigns implements Campaigns {
  private readonly upsertTx: (campaigns: readonly Campaign[]) => void;

  constructor(db: Database, records: SqliteRecords) {
    this.upsertTx = db.transaction((campaigns: readonly Campaign[]) => {
      for (const campaign of campaigns) records.writeCampaign(campaign);
    });
  }

  async upsertCampaigns(campaigns: readonly Campaign[]): Promise<void> {
    if (campaigns.length > 0) this.upsertTx(campaigns);
  }
}
