import type { Database } from 'better-sqlite3';
import type { Storage } from '../storage';
import { openSqliteConnection, type SqliteConnectionOptions } from './connection';
import { schemaVersion } from './migrations';
import { SqliteBlockLocks } from './sqlite-block-locks';
import { SqliteCampaigns } from './sqlite-campaigns';
import { SqliteCatalogue } from './sqlite-catalogue';
import { SqliteFirstOpens } from './sqlite-first-opens';
import { SqliteImpressions } from './sqlite-impressions';
import { SqliteIdentity } from './sqlite-identity';
import { SqliteIngestion } from './sqlite-ingestion';
import { SqliteNotifyRequests } from './sqlite-notify-requests';
import { SqliteOrders } from './sqlite-orders';
import { SqlitePollAnswers } from './sqlite-poll-answers';
import { CATALOGUE_SQL, SqliteRecords } from './sqlite-records';
import { SqliteRenderLog } from './sqlite-render-log';
import { SqliteRetention } from './sqlite-retention';
import { SqliteSubscriberLocales } from './sqlite-subscriber-locales';
import { SqliteSubscriberSearch } from './sqlite-subscriber-search';
import { SqliteTriggerJobs } from './sqlite-trigger-jobs';
import { SqliteWebhookOutbox } from './sqlite-webhook-outbox';

/**
 * Every port on one better-sqlite3 connection (WAL): the embedded default,
 * one machine, nothing else to run. Several processes may open the same file;
 * SQLite serialises their writes, and every port keeps its promises across
 * them (test/storage/sqlite.contract.test.ts).
 */
export class SqliteStorage implements Storage {
  readonly catalogue: SqliteCatalogue;
  readonly ingestion: SqliteIngestion;
  readonly identity: SqliteIdentity;
  readonly campaigns: SqliteCampaigns;
  readonly impressions: SqliteImpressions;
  readonly renderLog: SqliteRenderLog;
  readonly locks: SqliteBlockLocks;
  readonly firstOpens: SqliteFirstOpens;
  readonly retention: SqliteRetention;
  readonly subscriberLocales: SqliteSubscriberLocales;
  readonly subscriberSearch: SqliteSubscriberSearch;
  readonly pollAnswers: SqlitePollAnswers;
  readonly notifyRequests: SqliteNotifyRequests;
  readonly webhookOutbox: SqliteWebhookOutbox;
  readonly triggerJobs: SqliteTriggerJobs;
  readonly orders: SqliteOrders;
  readonly catalogueCache = undefined;

  constructor(private readonly db: Database) {
    const records = new SqliteRecords(db);
    this.catalogue = new SqliteCatalogue(records);
    this.identity = new SqliteIdentity(db);
    this.ingestion = new SqliteIngestion(db, records, this.identity);
    this.campaigns = new SqliteCampaigns(db, records);
    this.impressions = new SqliteImpressions(db);
    this.renderLog = new SqliteRenderLog(db);
    this.locks = new SqliteBlockLocks(db);
    this.firstOpens = new SqliteFirstOpens(db);
    this.retention = new SqliteRetention(db);
    this.subscriberLocales = new SqliteSubscriberLocales(db);
    this.subscriberSearch = new SqliteSubscriberSearch(db);
    this.pollAnswers = new SqlitePollAnswers(db);
    this.notifyRequests = new SqliteNotifyRequests(db);
    this.webhookOutbox = new SqliteWebhookOutbox(db);
    this.triggerJobs = new SqliteTriggerJobs(db);
    this.orders = new SqliteOrders(db);
  }

  async ping(): Promise<void> {
    schemaVersion(this.db);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The applied schema version (for tests and diagnostics). */
  schemaVersion(): number {
    return schemaVersion(this.db);
  }

  /** The journal mode actually in effect: "wal" for a file, "memory" for `:memory:`. */
  journalMode(): string {
    return String(this.db.pragma('journal_mode', { simple: true }));
  }

  /** EXPLAIN QUERY PLAN detail lines for one of the catalogue's statements (for tests and diagnostics). */
  explain(name: keyof typeof CATALOGUE_SQL, ...params: unknown[]): string[] {
    const rows = this.db.prepare(`EXPLAIN QUERY PLAN ${CATALOGUE_SQL[name]}`).all(...params) as { detail: string }[];
    return rows.map((r) => r.detail);
  }
}

/** Opens (creating and migrating unless read-only) the SQLite database at `file`. */
export function openSqliteStorage(file: string, options: SqliteConnectionOptions = {}): SqliteStorage {
  return new SqliteStorage(openSqliteConnection(file, options));
}
