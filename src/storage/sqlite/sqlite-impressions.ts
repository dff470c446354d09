import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { Impression, ImpressionStore } from '../ports/impressions';
import { parseStringList } from './rows';

interface ImpressionRow {
  subscriber_id: string;
  campaign_id: string;
  block_id: string;
  urls: string;
  rendered_at: string;
}

const SQL = {
  // The WHERE keeps the newest render when batches land out of order, from
  // this process or another: the row's own time decides, not arrival.
  record: `
    INSERT INTO impressions (subscriber_id, campaign_id, block_id, urls, rendered_at)
    VALUES (@subscriber_id, @campaign_id, @block_id, @urls, @rendered_at)
    ON CONFLICT (subscriber_id, campaign_id, block_id) DO UPDATE SET
      urls = excluded.urls, rendered_at = excluded.rendered_at
    WHERE excluded.rendered_at >= impressions.rendered_at`,
  latest:
    'SELECT subscriber_id, campaign_id, block_id, urls, rendered_at FROM impressions WHERE subscriber_id = ? AND campaign_id = ? AND block_id = ?',
} as const;

/** Impressions on SQLite (table `impressions`, migration 3): one row per subscriber, campaign and block. */
export class SqliteImpressions implements ImpressionStore {
  private readonly stmtLatest: Statement<[string, string, string], ImpressionRow>;
  private readonly recordTx: Transaction<(impressions: readonly Impression[]) => void>;

  constructor(db: Database) {
    const stmtRecord: Statement<[ImpressionRow]> = db.prepare(SQL.record);
    this.stmtLatest = db.prepare(SQL.latest);
    this.recordTx = db.transaction((impressions: readonly Impression[]) => {
      for (const impression of impressions) {
        stmtRecord.run({
          subscriber_id: impression.subscriberId,
          campaign_id: impression.campaignId,
          block_id: impression.blockId,
          urls: JSON.stringify(impression.urls),
          rendered_at: impression.renderedAt,
        });
      }
    });
  }

  async record(impressions: readonly Impression[]): Promise<void> {
    if (impressions.length > 0) this.recordTx.immediate(impressions);
  }

  async latest(subscriberId: string, campaignId: string, blockId: string): Promise<Impression | undefined> {
    const row = this.stmtLatest.get(subscriberId, campaignId, blockId);
    if (!row) return undefined;
    return {
      subscriberId: row.subscriber_id,
      campaignId: row.campaign_id,
      blockId: row.block_id,
      urls: parseStringList(row.urls, 'impression', `${row.subscriber_id}/${row.campaign_id}/${row.block_id}`, 'urls'),
      renderedAt: row.rendered_at,
    };
  }
}
