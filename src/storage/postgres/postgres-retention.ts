import type { Pool } from 'pg';
import type { RetentionStore } from '../ports/retention';
import { rowLimit } from './postgres-records';

// Every statement deletes at most `limit` rows, oldest first, through a time index (or the
// identity key, for the append-only log), by primary key, so each is a short statement and opens
// keep flowing between calls.
//
// The keyed tables pick their rows `FOR UPDATE SKIP LOCKED` (PostgreSQL manual, "The Locking
// Clause"): a row a batch is rewriting at that moment (an impression replaced by a newer render, a
// cart time moved on) is left for the next run instead of making retention wait for, or deadlock
// with, ingestion and the recording. Such a row is being made newer anyway.
const SQL = {
  // Oldest first by id (rows are appended in time order): a chunk that holds a row still inside the
  // window ends the run, and rows from processes whose clocks interleave wait for the next run.
  pruneRenders: 'DELETE FROM render_log WHERE id IN (SELECT id FROM render_log ORDER BY id LIMIT $1) AND rendered_at < $2',
  pruneClicks: 'DELETE FROM clicks WHERE id IN (SELECT id FROM clicks ORDER BY id LIMIT $1) AND clicked_at < $2',
  pruneBlockLocks:
    'DELETE FROM block_locks WHERE (campaign_id, block_id, subscriber_id) IN ' +
    '(SELECT campaign_id, block_id, subscriber_id FROM block_locks WHERE locked_at < $1 ORDER BY locked_at LIMIT $2 FOR UPDATE SKIP LOCKED)',
  pruneImpressions:
    'DELETE FROM impressions WHERE (subscriber_id, campaign_id, block_id) IN ' +
    '(SELECT subscriber_id, campaign_id, block_id FROM impressions WHERE rendered_at < $1 ORDER BY rendered_at LIMIT $2 FOR UPDATE SKIP LOCKED)',
  pruneIngestedEvents:
    'DELETE FROM ingested_events WHERE id IN (SELECT id FROM ingested_events WHERE received_at < $1 ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)',
  // Times are ISO 8601 as the source sent them (zones included): compared as text, off by at most
  // the zone offset, hours against a 32-day floor (as on SQLite).
  pruneCartEventTimes:
    'DELETE FROM cart_event_times WHERE (subscriber_id, product_id) IN ' +
    '(SELECT subscriber_id, product_id FROM cart_event_times WHERE occurred_at < $1 ORDER BY occurred_at LIMIT $2 FOR UPDATE SKIP LOCKED)',
  pruneAnonymousEvents:
    'DELETE FROM anonymous_events WHERE id IN (SELECT id FROM anonymous_events WHERE received_at < $1 ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)',
  pruneProfileEntryTimes:
    'DELETE FROM profile_entry_times WHERE (subscriber_id, list, product_id) IN ' +
    '(SELECT subscriber_id, list, product_id FROM profile_entry_times WHERE occurred_at < $1 ORDER BY occurred_at LIMIT $2 FOR UPDATE SKIP LOCKED)',
  // Settled messages only (delivered or abandoned, epoch ms), by the identity key; a message a
  // delivery loop holds at that moment is skipped (it is not settled yet anyway).
  pruneSettledWebhooks:
    'DELETE FROM webhook_outbox WHERE id IN ' +
    '(SELECT id FROM webhook_outbox WHERE COALESCE(delivered_at, gave_up_at) < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)',
} as const;

/** Retention's deletes on PostgreSQL: each call one statement on the pool. */
export class PostgresRetention implements RetentionStore {
  constructor(private readonly pool: Pool) {}

  async pruneRenders(before: Date, limit: number): Promise<number> {
    return this.deleted(SQL.pruneRenders, rowLimit(limit), before.getTime());
  }

  async pruneClicks(before: Date, limit: number): Promise<number> {
    return this.deleted(SQL.pruneClicks, rowLimit(limit), before.getTime());
  }

  async pruneBlockLocks(before: Date, limit: number): Promise<number> {
    return this.deleted(SQL.pruneBlockLocks, before.getTime(), rowLimit(limit));
  }

  async pruneImpressions(before: Date, limit: number): Promise<number> {
    return this.deleted(SQL.pruneImpressions, before.toISOString(), rowLimit(limit));
  }

  async pruneIngestedEvents(before: Date, limit: number): Promise<number> {
    return this.deleted(SQL.pruneIngestedEvents, before.toISOString(), rowLimit(limit));
  }

  async pruneCartEventTimes(before: Date, limit: number): Promise<number> {
    return this.deleted(SQL.pruneCartEventTimes, before.toISOString(), rowLimit(limit));
  }

  async pruneAnonymousEvents(before: Date, limit: number): Promise<number> {
    return this.deleted(SQL.pruneAnonymousEvents, before.toISOString(), rowLimit(limit));
  }

  async pruneProfileEntryTimes(before: Date, limit: number): Promise<number> {
    return this.deleted(SQL.pruneProfileEntryTimes, before.toISOString(), rowLimit(limit));
  }

  async pruneSettledWebhooks(before: Date, limit: number): Promise<number> {
    return this.deleted(SQL.pruneSettledWebhooks, before.getTime(), rowLimit(limit));
  }

  private async deleted(text: string, ...values: (string | number)[]): Promise<number> {
    return (await this.pool.query({ text, values })).rowCount ?? 0;
  }
}
