import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { FirstOpenStore } from '../ports/first-opens';

/** First human opens on SQLite (table `first_opens`, migration 12). */
export class SqliteFirstOpens implements FirstOpenStore {
  private readonly stmtGet: Statement<[string, string], { opened_at: number }>;
  private readonly claimTx: Transaction<(campaignId: string, subscriberId: string, openedAt: number) => number>;

  constructor(db: Database) {
    this.stmtGet = db.prepare('SELECT opened_at FROM first_opens WHERE campaign_id = ? AND subscriber_id = ?');
    // DO NOTHING: the first open wins, whichever connection wrote it; the read in the same transaction returns it.
    const stmtInsert: Statement<[string, string, number]> = db.prepare(
      'INSERT INTO first_opens (campaign_id, subscriber_id, opened_at) VALUES (?, ?, ?) ON CONFLICT (campaign_id, subscriber_id) DO NOTHING',
    );
    this.claimTx = db.transaction((campaignId: string, subscriberId: string, openedAt: number) => {
      stmtInsert.run(campaignId, subscriberId, openedAt);
      return (this.stmtGet.get(campaignId, subscriberId) as { opened_at: number }).opened_at;
    });
  }

  async get(campaignId: string, subscriberId: string): Promise<number | undefined> {
    return this.stmtGet.get(campaignId, subscriberId)?.opened_at;
  }

  // Immediate: the write lock is taken before the insert, so claims from two connections queue on
  // busy_timeout instead of one failing with SQLITE_BUSY.
  async claim(campaignId: string, subscriberId: string, openedAt: number): Promise<number> {
    return this.claimTx.immediate(campaignId, subscriberId, openedAt);
  }
}
