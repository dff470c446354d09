import type { Pool } from 'pg';
import type { FirstOpenStore } from '../ports/first-opens';

const SQL = {
  get: 'SELECT opened_at AS "openedAt" FROM first_opens WHERE campaign_id = $1 AND subscriber_id = $2',
  // DO NOTHING: the first open wins, whichever connection wrote it. A claim that meets another
  // connection's uncommitted row of the same key waits for it, then inserts nothing and returns no
  // row (PostgreSQL manual, "INSERT", ON CONFLICT); the winner is then read by a second statement,
  // whose snapshot includes that commit (a CTE's would not).
  claim:
    'INSERT INTO first_opens (campaign_id, subscriber_id, opened_at) VALUES ($1, $2, $3) ' +
    'ON CONFLICT (campaign_id, subscriber_id) DO NOTHING RETURNING opened_at AS "openedAt"',
} as const;

/** First human opens on PostgreSQL (table `first_opens`, migration 6): one statement per claim on the pool. */
export class PostgresFirstOpens implements FirstOpenStore {
  constructor(private readonly pool: Pool) {}

  async get(campaignId: string, subscriberId: string): Promise<number | undefined> {
    const result = await this.pool.query<{ openedAt: number }>({ name: 'opentime.get-first-open', text: SQL.get, values: [campaignId, subscriberId] });
    return result.rows[0]?.openedAt;
  }

  async claim(campaignId: string, subscriberId: string, openedAt: number): Promise<number> {
    const inserted = await this.pool.query<{ openedAt: number }>({ name: 'opentime.claim-first-open', text: SQL.claim, values: [campaignId, subscriberId, openedAt] });
    if (inserted.rows[0]) return inserted.rows[0].openedAt;
    const winner = await this.get(campaignId, subscriberId);
    if (winner === undefined) throw new Error(`first open of campaign ${campaignId} by ${subscriberId}: neither inserted nor found`);
    return winner;
  }
}
