import type { Pool } from 'pg';
import type { Impression, ImpressionStore } from '../ports/impressions';

const SQL = {
  // The WHERE keeps the newest render when batches land out of order, from this process or
  // another: the row's own time decides, not arrival. `>=` as on SQLite: of two renders of the
  // same millisecond, the one written last stays. Rows go in key order so two batches that touch
  // the same keys lock them in the same order and never deadlock.
  record:
    'INSERT INTO impressions (subscriber_id, campaign_id, block_id, urls, rendered_at) ' +
    'SELECT i.subscriber_id, i.campaign_id, i.block_id, i.urls, i.rendered_at ' +
    'FROM jsonb_to_recordset($1::jsonb) AS i(subscriber_id text, campaign_id text, block_id text, urls text[], rendered_at text) ' +
    'ORDER BY i.subscriber_id COLLATE "C", i.campaign_id COLLATE "C", i.block_id COLLATE "C" ' +
    'ON CONFLICT (subscriber_id, campaign_id, block_id) DO UPDATE SET urls = excluded.urls, rendered_at = excluded.rendered_at ' +
    'WHERE excluded.rendered_at >= impressions.rendered_at',
  latest:
    'SELECT subscriber_id AS "subscriberId", campaign_id AS "campaignId", block_id AS "blockId", urls, rendered_at AS "renderedAt" ' +
    'FROM impressions WHERE subscriber_id = $1 AND campaign_id = $2 AND block_id = $3',
} as const;

/**
 * Impressions on PostgreSQL (table `impressions`): one row per subscriber,
 * campaign and block. A batch is one statement on the pool, so one
 * transaction, committed when `record` resolves; `latest` is one
 * primary-key read.
 */
export class PostgresImpressions implements ImpressionStore {
  constructor(private readonly pool: Pool) {}

  async record(impressions: readonly Impression[]): Promise<void> {
    if (impressions.length === 0) return;
    const rows = latestPerKey(impressions).map((impression) => ({
      subscriber_id: impression.subscriberId,
      campaign_id: impression.campaignId,
      block_id: impression.blockId,
      urls: impression.urls,
      rendered_at: impression.renderedAt,
    }));
    await this.pool.query({ text: SQL.record, values: [JSON.stringify(rows)] });
  }

  async latest(subscriberId: string, campaignId: string, blockId: string): Promise<Impression | undefined> {
    const result = await this.pool.query<Impression>({ name: 'opentime.latest-impression', text: SQL.latest, values: [subscriberId, campaignId, blockId] });
    return result.rows[0];
  }
}

/**
 * One impression per key, the one the database would keep if they were
 * written one after the other: one INSERT … ON CONFLICT DO UPDATE may not
 * touch a row twice (PostgreSQL manual, "INSERT").
 */
function latestPerKey(impressions: readonly Impression[]): Impression[] {
  const kept = new Map<string, Impression>();
  for (const impression of impressions) {
    const key = JSON.stringify([impression.subscriberId, impression.campaignId, impression.blockId]);
    const before = kept.get(key);
    if (before === undefined || impression.renderedAt >= before.renderedAt) kept.set(key, impression);
  }
  return [...kept.values()];
}
