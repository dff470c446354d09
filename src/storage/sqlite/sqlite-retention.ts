import type { Database, Statement } from 'better-sqlite3';
import type { RetentionStore } from '../ports/retention';

// Every statement deletes at most `limit` rows, oldest first, through a time
// index (or the rowid, for the append-only log), so each is a short write lock.
const SQL = {
  // Oldest first by id (rows are appended in time order): a chunk that holds a row still inside the
  // window ends the run, and rows from processes whose clocks interleave wait for the next run.
  pruneRenders: 'DELETE FROM render_log WHERE id IN (SELECT id FROM render_log ORDER BY id LIMIT ?) AND rendered_at < ?',
  pruneClicks: 'DELETE FROM clicks WHERE id IN (SELECT id FROM clicks ORDER BY id LIMIT ?) AND clicked_at < ?',
  pruneBlockLocks: 'DELETE FROM block_locks WHERE rowid IN (SELECT rowid FROM block_locks WHERE locked_at < ? ORDER BY locked_at LIMIT ?)',
  pruneImpressions:
    'DELETE FROM impressions WHERE (subscriber_id, campaign_id, block_id) IN ' +
    '(SELECT subscriber_id, campaign_id, block_id FROM impressions WHERE rendered_at < ? ORDER BY rendered_at LIMIT ?)',
  pruneIngestedEvents: 'DELETE FROM ingested_events WHERE id IN (SELECT id FROM ingested_events WHERE received_at < ? ORDER BY received_at LIMIT ?)',
  // Times are ISO 8601 as the source sent them (zones included): compared as text, off by at most the zone offset, hours against a 32-day floor.
  pruneCartEventTimes:
    'DELETE FROM cart_event_times WHERE (subscriber_id, product_id) IN ' +
    '(SELECT subscriber_id, product_id FROM cart_event_times WHERE occurred_at < ? ORDER BY occurred_at LIMIT ?)',
  pruneAnonymousEvents: 'DELETE FROM anonymous_events WHERE id IN (SELECT id FROM anonymous_events WHERE received_at < ? ORDER BY received_at LIMIT ?)',
  pruneProfileEntryTimes:
    'DELETE FROM profile_entry_times WHERE (subscriber_id, list, product_id) IN ' +
    '(SELECT subscriber_id, list, product_id FROM profile_entry_times WHERE occurred_at < ? ORDER BY occurred_at LIMIT ?)',
  // Settled messages only (delivered or abandoned: both times are epoch ms); walks the primary key,
  // so the few messages still being delivered are skipped, never deleted.
  pruneSettledWebhooks:
    'DELETE FROM webhook_outbox WHERE id IN ' +
    '(SELECT id FROM webhook_outbox WHERE COALESCE(delivered_at, gave_up_at) < ? ORDER BY id LIMIT ?)',
} as const;

/** A non-negative whole number of rows; anything else reads as 0. */
const rows = (limit: number): number => (Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : 0);

/** Retention's deletes on SQLite. */
export class SqliteRetention implements RetentionStore {
  private readonly stmtPruneRenders: Statement<[number, number]>;
  private readonly stmtPruneClicks: Statement<[number, number]>;
  private readonly stmtPruneBlockLocks: Statement<[number, number]>;
  private readonly stmtPruneImpressions: Statement<[string, number]>;
  private readonly stmtPruneIngestedEvents: Statement<[string, number]>;
  private readonly stmtPruneCartEventTimes: Statement<[string, number]>;
  private readonly stmtPruneSettledWebhooks: Statement<[number, number]>;
  private readonly stmtPruneAnonymousEvents: Statement<[string, number]>;
  private readonly stmtPruneProfileEntryTimes: Statement<[string, number]>;

  constructor(db: Database) {
    this.stmtPruneRenders = db.prepare(SQL.pruneRenders);
    this.stmtPruneClicks = db.prepare(SQL.pruneClicks);
    this.stmtPruneBlockLocks = db.prepare(SQL.pruneBlockLocks);
    this.stmtPruneImpressions = db.prepare(SQL.pruneImpressions);
    this.stmtPruneIngestedEvents = db.prepare(SQL.pruneIngestedEvents);
    this.stmtPruneCartEventTimes = db.prepare(SQL.pruneCartEventTimes);
    this.stmtPruneSettledWebhooks = db.prepare(SQL.pruneSettledWebhooks);
    this.stmtPruneAnonymousEvents = db.prepare(SQL.pruneAnonymousEvents);
    this.stmtPruneProfileEntryTimes = db.prepare(SQL.pruneProfileEntryTimes);
  }

  async pruneRenders(before: Date, limit: number): Promise<number> {
    return this.stmtPruneRenders.run(rows(limit), before.getTime()).changes;
  }

  async pruneClicks(before: Date, limit: number): Promise<number> {
    return this.stmtPruneClicks.run(rows(limit), before.getTime()).changes;
  }

  async pruneBlockLocks(before: Date, limit: number): Promise<number> {
    return this.stmtPruneBlockLocks.run(before.getTime(), rows(limit)).changes;
  }

  async pruneImpressions(before: Date, limit: number): Promise<number> {
    return this.stmtPruneImpressions.run(before.toISOString(), rows(limit)).changes;
  }

  async pruneIngestedEvents(before: Date, limit: number): Promise<number> {
    return this.stmtPruneIngestedEvents.run(before.toISOString(), rows(limit)).changes;
  }

  async pruneCartEventTimes(before: Date, limit: number): Promise<number> {
    return this.stmtPruneCartEventTimes.run(before.toISOString(), rows(limit)).changes;
  }

  async pruneAnonymousEvents(before: Date, limit: number): Promise<number> {
    return this.stmtPruneAnonymousEvents.run(before.toISOString(), rows(limit)).changes;
  }

  async pruneProfileEntryTimes(before: Date, limit: number): Promise<number> {
    return this.stmtPruneProfileEntryTimes.run(before.toISOString(), rows(limit)).changes;
  }

  async pruneSettledWebhooks(before: Date, limit: number): Promise<number> {
    return this.stmtPruneSettledWebhooks.run(before.getTime(), rows(limit)).changes;
  }
}
