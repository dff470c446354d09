import type { Pool } from 'pg';
import type { Storage } from '../storage';
import { connectChecked, createPool, type PostgresConnectionOptions } from './connection';
import { assertCurrentSchema, migrate, schemaVersion } from './migrations';
import { PostgresBlockLocks } from './postgres-block-locks';
import { PostgresCampaigns } from './postgres-campaigns';
import { PostgresCatalogue } from './postgres-catalogue';
import { PostgresFirstOpens } from './postgres-first-opens';
import { PostgresIdentity } from './postgres-identity';
import { PostgresImpressions } from './postgres-impressions';
import { PostgresIngestion } from './postgres-ingestion';
import { PostgresNotifyRequests } from './postgres-notify-requests';
import { PostgresOrders } from './postgres-orders';
import { PostgresPollAnswers } from './postgres-poll-answers';
import { CATALOGUE_SQL } from './postgres-records';
import { PostgresRenderLog } from './postgres-render-log';
import { PostgresRetention } from './postgres-retention';
import { PostgresSubscriberLocales } from './postgres-subscriber-locales';
import { PostgresSubscriberSearch } from './postgres-subscriber-search';
import { PostgresTriggerJobs } from './postgres-trigger-jobs';
import { PostgresWebhookOutbox } from './postgres-webhook-outbox';

export type PostgresStorageOptions = PostgresConnectionOptions;

/**
 * Every port on one pool of connections to a PostgreSQL database: for
 * deployments of several nodes sharing one database (OPENTIME_DATABASE_URL).
 * Each node opens its own pool; every port keeps its promises across them
 * (test/scale/postgres.contract.test.ts), and docs/ARCHITECTURE.md
 * ("Storage") says how.
 */
export class PostgresStorage implements Storage {
  readonly catalogue: PostgresCatalogue;
  readonly ingestion: PostgresIngestion;
  readonly identity: PostgresIdentity;
  readonly campaigns: PostgresCampaigns;
  readonly impressions: PostgresImpressions;
  readonly renderLog: PostgresRenderLog;
  readonly locks: PostgresBlockLocks;
  readonly firstOpens: PostgresFirstOpens;
  readonly retention: PostgresRetention;
  readonly subscriberLocales: PostgresSubscriberLocales;
  readonly subscriberSearch: PostgresSubscriberSearch;
  readonly pollAnswers: PostgresPollAnswers;
  readonly notifyRequests: PostgresNotifyRequests;
  readonly webhookOutbox: PostgresWebhookOutbox;
  readonly triggerJobs: PostgresTriggerJobs;
  readonly orders: PostgresOrders;
  readonly catalogueCache = undefined;
  private closed: Promise<void> | undefined;

  constructor(private readonly pool: Pool) {
    this.catalogue = new PostgresCatalogue(pool);
    this.ingestion = new PostgresIngestion(pool);
    this.identity = new PostgresIdentity(pool);
    this.campaigns = new PostgresCampaigns(pool);
    this.impressions = new PostgresImpressions(pool);
    this.renderLog = new PostgresRenderLog(pool);
    this.locks = new PostgresBlockLocks(pool);
    this.firstOpens = new PostgresFirstOpens(pool);
    this.retention = new PostgresRetention(pool);
    this.subscriberLocales = new PostgresSubscriberLocales(pool);
    this.subscriberSearch = new PostgresSubscriberSearch(pool);
    this.pollAnswers = new PostgresPollAnswers(pool);
    this.notifyRequests = new PostgresNotifyRequests(pool);
    this.webhookOutbox = new PostgresWebhookOutbox(pool);
    this.triggerJobs = new PostgresTriggerJobs(pool);
    this.orders = new PostgresOrders(pool);
  }

  /** One round trip that touches no table: cheap enough for every health probe. */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Ends the pool once (a second pool.end() would reject); every call waits for that one end. */
  async close(): Promise<void> {
    this.closed ??= this.pool.end();
    await this.closed;
  }

  /** The applied schema version (for tests and diagnostics). */
  async schemaVersion(): Promise<number> {
    const client = await this.pool.connect();
    try {
      return await schemaVersion(client);
    } finally {
      client.release();
    }
  }

  /** EXPLAIN lines for one of the catalogue's statements with these parameters (for tests and diagnostics). */
  async explain(name: keyof typeof CATALOGUE_SQL, ...params: unknown[]): Promise<string[]> {
    const result = await this.pool.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN ${CATALOGUE_SQL[name]}`, values: params });
    return result.rows.map((row) => row['QUERY PLAN']);
  }
}

/**
 * Connects to the PostgreSQL database at `url` and migrates it to the
 * current schema (read-only: checks that it is current instead, and opens
 * read-only sessions). Rejects with PostgresUnreachableError when the
 * database cannot be reached or refuses the connection.
 */
export async function openPostgresStorage(url: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
  const pool = createPool(url, options);
  try {
    const client = await connectChecked(pool, url);
    try {
      if (options.readonly) await assertCurrentSchema(client);
      else await migrate(client);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresStorage(pool);
}
