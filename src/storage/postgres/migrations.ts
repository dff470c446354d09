import type { ClientBase } from 'pg';

/**
 * Versioned schema migrations for PostgreSQL.
 *
 * Rules for anyone adding one (the same as the SQLite adapter's):
 * - append only; never edit or renumber a migration that has shipped, because
 *   existing databases have already recorded it as applied;
 * - versions are consecutive integers starting at 1;
 * - every pending migration runs in ONE transaction with the rows that record
 *   them, so the schema is either fully migrated or not at all (PostgreSQL's
 *   DDL is transactional).
 */
export interface PostgresMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Keys, categories and ISO times are `COLLATE "C"`: compared byte by byte,
 * as SQLite's BINARY does, so best-sellers tie-break by id in the same order
 * on both databases and ISO 8601 times ("…T10:00:05.000Z") compare as text
 * in time order whatever the database's locale; C comparisons are also the
 * cheapest.
 *
 * Record times are text, exactly as the source sent them (the rules compare
 * them with Date.parse; impressions and retention compare them as text, which
 * the port defines as toISOString() output). The log's times are epoch ms in
 * bigint. Lists of ids are text[], except the render log's item ids and a
 * frozen view, which are jsonb (written in bulk, read whole or never, never
 * queried into).
 */
export const MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'catalogue, impressions, ingested events, render log, clicks and lock-at-first-open views',
    sql: `
      CREATE TABLE products (
        id          text COLLATE "C" NOT NULL PRIMARY KEY,
        name        text             NOT NULL,
        url         text             NOT NULL,
        image       text             NOT NULL,
        category    text COLLATE "C" NOT NULL,
        price       double precision NOT NULL,
        sale_price  double precision,
        currency    text             NOT NULL,
        stock       bigint           NOT NULL,
        popularity  bigint           NOT NULL,
        updated_at  text             NOT NULL
      );

      -- Best-sellers (docs/ARCHITECTURE.md, "Storage"): partial indexes over in-stock rows, in
      -- exactly the order the queries ask for, so a query walks the index from its start and stops
      -- after LIMIT rows, whatever the catalogue's size (PostgreSQL manual, "Partial Indexes" and
      -- "Indexes and ORDER BY"). The queries repeat "stock > 0" so the planner can prove the
      -- partial index applies.
      CREATE INDEX products_best_sellers_by_category ON products (category, popularity DESC, id) WHERE stock > 0;
      CREATE INDEX products_best_sellers ON products (popularity DESC, id) WHERE stock > 0;

      CREATE TABLE subscribers (
        id              text COLLATE "C" NOT NULL PRIMARY KEY,
        first_name      text   NOT NULL,
        locale          text   NOT NULL,
        time_zone       text   NOT NULL,
        currency        text   NOT NULL,
        country         text,
        city            text,
        loyalty_points  bigint NOT NULL,
        loyalty_tier    text,
        recent_views    text[] NOT NULL DEFAULT '{}',
        cart            text[] NOT NULL DEFAULT '{}',
        purchases       text[] NOT NULL DEFAULT '{}',
        updated_at      text   NOT NULL
      );

      CREATE TABLE campaigns (
        id               text COLLATE "C" NOT NULL PRIMARY KEY,
        name             text   NOT NULL,
        ends_at          text,
        allowed_senders  text[] NOT NULL DEFAULT '{}'
      );

      -- The latest image render per subscriber, campaign and block: what a click on slot i opens.
      CREATE TABLE impressions (
        subscriber_id  text COLLATE "C" NOT NULL,
        campaign_id    text COLLATE "C" NOT NULL,
        block_id       text COLLATE "C" NOT NULL,
        urls           text[]           NOT NULL,
        rendered_at    text COLLATE "C" NOT NULL,
        PRIMARY KEY (subscriber_id, campaign_id, block_id)
      );
      CREATE INDEX impressions_by_time ON impressions (rendered_at);

      -- Every event id applied (or refused as stale), written with its effect, so a replayed
      -- webhook is acknowledged and never applied twice; and per subscriber and product, when the
      -- latest cart change happened at the source.
      CREATE TABLE ingested_events (
        id             text COLLATE "C" NOT NULL PRIMARY KEY,
        subscriber_id  text             NOT NULL,
        type           text             NOT NULL,
        occurred_at    text             NOT NULL,
        received_at    text COLLATE "C" NOT NULL
      );
      CREATE INDEX ingested_events_by_time ON ingested_events (received_at);

      CREATE TABLE cart_event_times (
        subscriber_id  text COLLATE "C" NOT NULL,
        product_id     text COLLATE "C" NOT NULL,
        occurred_at    text COLLATE "C" NOT NULL,
        PRIMARY KEY (subscriber_id, product_id)
      );
      CREATE INDEX cart_event_times_by_time ON cart_event_times (occurred_at);

      -- The render log and clicks: appended in batches, read per campaign by reports, pruned from
      -- the lowest id up (rows arrive in time order). One index each besides the key: every open
      -- writes a row, and every index costs every insert.
      CREATE TABLE render_log (
        id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        rendered_at    bigint           NOT NULL,
        campaign_id    text COLLATE "C" NOT NULL,
        block_id       text COLLATE "C" NOT NULL,
        subscriber_id  text COLLATE "C" NOT NULL,
        surface        text             NOT NULL,
        client         text             NOT NULL,
        prefetch       boolean          NOT NULL,
        variant        text COLLATE "C",
        outcome        text             NOT NULL,
        locked         boolean          NOT NULL,
        item_ids       jsonb            NOT NULL
      );
      CREATE INDEX render_log_by_campaign ON render_log (campaign_id);

      CREATE TABLE clicks (
        id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        clicked_at     bigint           NOT NULL,
        campaign_id    text COLLATE "C" NOT NULL,
        block_id       text COLLATE "C" NOT NULL,
        subscriber_id  text COLLATE "C" NOT NULL,
        slot           integer          NOT NULL,
        variant        text COLLATE "C",
        url            text             NOT NULL
      );
      CREATE INDEX clicks_by_campaign ON clicks (campaign_id);

      -- The view each subscriber saw at their first human open of a locked block; the first insert wins.
      CREATE TABLE block_locks (
        campaign_id      text COLLATE "C" NOT NULL,
        block_id         text COLLATE "C" NOT NULL,
        subscriber_id    text COLLATE "C" NOT NULL,
        view             jsonb            NOT NULL,
        variant          text,
        message_variant  text,
        locked_at        bigint           NOT NULL,
        PRIMARY KEY (campaign_id, block_id, subscriber_id)
      );
      CREATE INDEX block_locks_by_time ON block_locks (locked_at);
    `,
  },
  {
    version: 2,
    name: 'campaigns as data: markets, templates and the source time of each campaign',
    sql: `
      ALTER TABLE campaigns ADD COLUMN markets    text[]           NOT NULL DEFAULT '{}';
      ALTER TABLE campaigns ADD COLUMN templates  text[]           NOT NULL DEFAULT '{}';
      ALTER TABLE campaigns ADD COLUMN updated_at text COLLATE "C" NOT NULL DEFAULT '1970-01-01T00:00:00.000Z';
    `,
  },
  {
    version: 3,
    name: 'products: a price per currency and the markets a product is sold in',
    sql: `
      -- prices: currency code → { "price": …, "salePrice": … }, read whole with the row.
      ALTER TABLE products ADD COLUMN prices  jsonb  NOT NULL DEFAULT '{}';
      ALTER TABLE products ADD COLUMN markets text[] NOT NULL DEFAULT '{}';
    `,
  },  {
    version: 4,
    name: 'AMP forms: poll answers, notify-me requests and the outgoing webhook outbox',
    sql: `
      -- One answer per campaign, poll and subscriber: the primary key makes the count exact
      -- under concurrency (INSERT … ON CONFLICT). Results group over the answer index.
      CREATE TABLE poll_answers (
        campaign_id    text COLLATE "C" NOT NULL,
        poll_id        text COLLATE "C" NOT NULL,
        subscriber_id  text COLLATE "C" NOT NULL,
        answer         text COLLATE "C" NOT NULL,
        answered_at    bigint           NOT NULL,
        PRIMARY KEY (campaign_id, poll_id, subscriber_id)
      );
      CREATE INDEX poll_answers_by_answer ON poll_answers (campaign_id, poll_id, answer);

      -- One request per subscriber and product; a restock finds the waiting ones by product.
      CREATE TABLE notify_requests (
        subscriber_id  text COLLATE "C" NOT NULL,
        product_id     text COLLATE "C" NOT NULL,
        campaign_id    text COLLATE "C" NOT NULL,
        requested_at   bigint           NOT NULL,
        notified_at    bigint,
        PRIMARY KEY (subscriber_id, product_id)
      );
      CREATE INDEX notify_requests_waiting ON notify_requests (product_id, requested_at) WHERE notified_at IS NULL;

      -- Written by the ingestion transaction that restocks, emptied by the delivery loop.
      CREATE TABLE webhook_outbox (
        id               bigserial        PRIMARY KEY,
        event_id         text COLLATE "C" NOT NULL UNIQUE,
        type             text             NOT NULL,
        body             text             NOT NULL,
        created_at       bigint           NOT NULL,
        attempts         integer          NOT NULL DEFAULT 0,
        next_attempt_at  bigint           NOT NULL,
        delivered_at     bigint,
        gave_up_at       bigint,
        last_error       text
      );
      CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at, id) WHERE delivered_at IS NULL AND gave_up_at IS NULL;
    `,
  },
  {
    version: 5,
    name: "render log and clicks indexed by campaign, then subscriber and time (one subscriber's timeline)",
    sql: `
      -- Still ONE index per table (each one costs every open's insert): the campaign index is
      -- replaced by one that leads with the campaign, so reports read it as before, and a
      -- subscriber's timeline within a campaign reads only that subscriber's rows, newest first.
      DROP INDEX render_log_by_campaign;
      CREATE INDEX render_log_by_campaign_subscriber ON render_log (campaign_id, subscriber_id, rendered_at);
      DROP INDEX clicks_by_campaign;
      CREATE INDEX clicks_by_campaign_subscriber ON clicks (campaign_id, subscriber_id, clicked_at);
    `,
  },
  {
    version: 6,
    name: 'evergreen countdowns: first human opens of a campaign, and named dates on subscribers',
    sql: `
      -- One row per campaign and subscriber; the first insert wins (INSERT … ON CONFLICT DO
      -- NOTHING), so every node and client agrees on when the clock started.
      CREATE TABLE first_opens (
        campaign_id    text COLLATE "C" NOT NULL,
        subscriber_id  text COLLATE "C" NOT NULL,
        opened_at      bigint           NOT NULL,
        PRIMARY KEY (campaign_id, subscriber_id)
      );
      -- name → ISO time, read whole with the subscriber.
      ALTER TABLE subscribers ADD COLUMN dates jsonb NOT NULL DEFAULT '{}';
    `,
  },
  {
    version: 7,
    name: 'orders with their attribution, and the render log and clicks by subscriber for attributing them',
    sql: `
      -- As SQLite migration 13: one row per order id, the total in minor units, lines as jsonb
      -- read whole, and the last click and last human open found when the order arrived.
      -- Only human renders pay for the render log's partial index.
      CREATE TABLE orders (
        order_id           text COLLATE "C" NOT NULL PRIMARY KEY,
        subscriber_id      text COLLATE "C",
        anonymous_id       text COLLATE "C",
        occurred_at        bigint           NOT NULL,
        received_at        bigint           NOT NULL,
        currency           text COLLATE "C" NOT NULL,
        total_minor        bigint           NOT NULL,
        lines              jsonb            NOT NULL,
        click_campaign_id  text COLLATE "C",
        click_block_id     text COLLATE "C",
        click_variant      text COLLATE "C",
        click_at           bigint,
        open_campaign_id   text COLLATE "C",
        open_block_id      text COLLATE "C",
        open_variant       text COLLATE "C",
        open_at            bigint
      );
      CREATE INDEX orders_by_click_campaign ON orders (click_campaign_id) WHERE click_campaign_id IS NOT NULL;
      CREATE INDEX orders_by_open_campaign ON orders (open_campaign_id) WHERE open_campaign_id IS NOT NULL;
      CREATE INDEX orders_by_time ON orders (received_at);
      CREATE INDEX render_log_human_by_subscriber ON render_log (subscriber_id, rendered_at) WHERE NOT prefetch;
      CREATE INDEX clicks_by_subscriber ON clicks (subscriber_id, clicked_at);
    `,
  },
  {
    version: 8,
    name: 'triggered sends: the durable job queue of due messages',
    sql: `
      -- As SQLite migration 14. Claims take due rows FOR UPDATE SKIP LOCKED and push run_at ahead.
      CREATE TABLE trigger_jobs (
        id             text COLLATE "C" NOT NULL PRIMARY KEY,
        trigger_id     text COLLATE "C" NOT NULL,
        subscriber_id  text COLLATE "C" NOT NULL,
        product_id     text COLLATE "C",
        campaign_id    text COLLATE "C" NOT NULL,
        template       text COLLATE "C" NOT NULL,
        dedupe_key     text COLLATE "C" NOT NULL,
        state          text COLLATE "C" NOT NULL,
        source_at      bigint           NOT NULL,
        run_at         bigint           NOT NULL,
        attempts       integer          NOT NULL DEFAULT 0,
        created_at     bigint           NOT NULL,
        settled_at     bigint,
        outcome        text,
        last_error     text,
        message        text
      );
      CREATE UNIQUE INDEX trigger_jobs_one_pending ON trigger_jobs (dedupe_key) WHERE state = 'pending';
      CREATE INDEX trigger_jobs_due ON trigger_jobs (run_at, id) WHERE state = 'pending';
      CREATE INDEX trigger_jobs_by_subscriber ON trigger_jobs (subscriber_id, trigger_id, settled_at);
      CREATE INDEX trigger_jobs_by_state ON trigger_jobs (state, settled_at);
    `,
  },
  {
    version: 9,
    name: 'identity: anonymous ids linked to subscribers, their kept events, and when views and purchases happened',
    sql: `
      -- As SQLite migration 15 (docs/ARCHITECTURE.md, "Identity").
      CREATE TABLE identity_links (
        anonymous_id   text COLLATE "C" NOT NULL PRIMARY KEY,
        subscriber_id  text COLLATE "C" NOT NULL,
        linked_at      text COLLATE "C" NOT NULL,
        event_id       text COLLATE "C" NOT NULL
      );
      CREATE INDEX identity_links_by_subscriber ON identity_links (subscriber_id);

      CREATE TABLE anonymous_events (
        id             text COLLATE "C" NOT NULL PRIMARY KEY,
        anonymous_id   text COLLATE "C" NOT NULL,
        occurred_at    text COLLATE "C" NOT NULL,
        received_at    text COLLATE "C" NOT NULL,
        event          jsonb NOT NULL
      );
      CREATE INDEX anonymous_events_by_anonymous_id ON anonymous_events (anonymous_id);

      CREATE TABLE profile_entry_times (
        subscriber_id  text COLLATE "C" NOT NULL,
        list           text COLLATE "C" NOT NULL,
        product_id     text COLLATE "C" NOT NULL,
        occurred_at    text COLLATE "C" NOT NULL,
        PRIMARY KEY (subscriber_id, list, product_id)
      );
    `,
  },
  {
    version: 10,
    name: 'identity retention: kept anonymous events by arrival, view and purchase times by when they happened',
    sql: `
      -- As SQLite migration 16.
      CREATE INDEX anonymous_events_by_time ON anonymous_events (received_at);
      CREATE INDEX profile_entry_times_by_time ON profile_entry_times (occurred_at);
    `,
  },
  {
    version: 11,
    name: 'subscribers gain latitude and longitude: where the profile places them, for the weather of an open whose address is a proxy',
    sql: `
      -- As SQLite migration 17.
      ALTER TABLE subscribers ADD COLUMN latitude double precision, ADD COLUMN longitude double precision;
    `,
  },
  {
    version: 12,
    name: 'orders awaiting an identify: the anonymous orders of one anonymous id, found when it is linked',
    sql: `
      -- As SQLite migration 18.
      CREATE INDEX orders_awaiting_identity ON orders (anonymous_id) WHERE subscriber_id IS NULL;
    `,
  },
];

export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * The key of the advisory lock migrations hold: any constant every Opentime
 * node agrees on. These are the bytes of "opentime" read as a big-endian
 * int8. Advisory locks are the application's own (PostgreSQL manual,
 * "Advisory Locks"); a transaction-level one is released at COMMIT or
 * ROLLBACK, so a node that dies mid-migration cannot leave it held.
 */
export const MIGRATION_LOCK_KEY = '8030593374778026341';

export interface MigrationResult {
  /** Schema version found before migrating (0 for a new database). */
  readonly from: number;
  /** Schema version after migrating. */
  readonly to: number;
  /** Versions applied by this call, in order. */
  readonly applied: readonly number[];
}

function assertWellFormed(migrations: readonly PostgresMigration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migrations must be numbered 1, 2, 3… in order; entry ${i} ("${m.name}") has version ${m.version}`);
    }
  });
}

/** The highest applied migration version, or 0 for a database never migrated. */
export async function schemaVersion(client: ClientBase): Promise<number> {
  // to_regclass: NULL instead of an error when the table does not exist (a new database).
  const table = await client.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!table.rows[0]?.present) return 0;
  const row = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  return row.rows[0]?.version ?? 0;
}

function newerThanThisBuild(from: number, latest: number): Error {
  return new Error(`database schema version ${from} is newer than this build supports (${latest}); upgrade Opentime or point it at another database`);
}

/**
 * Brings the database up to the newest schema. Safe on every start, and on
 * several nodes starting at once: the whole run is one transaction that
 * first takes `pg_advisory_xact_lock(MIGRATION_LOCK_KEY)`, so the nodes
 * queue on the lock and each reads the version only once it holds it; the
 * first applies what is pending, the others find nothing left to do.
 * Refuses a database whose schema is newer than this code knows.
 */
export async function migrate(client: ClientBase, migrations: readonly PostgresMigration[] = MIGRATIONS): Promise<MigrationResult> {
  assertWellFormed(migrations);
  const latest = migrations.length;
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version     integer     NOT NULL PRIMARY KEY,
        name        text        NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
    const from = await schemaVersion(client);
    if (from > latest) throw newerThanThisBuild(from, latest);
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return { from, to: Math.max(from, ...applied), applied };
  } catch (error) {
    // The migration's own error is the one to report, even when the connection broke with it.
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * For read-only opens, which may not migrate: refuses a schema other than
 * this build's rather than failing later on a missing column mid-request.
 */
export async function assertCurrentSchema(client: ClientBase, migrations: readonly PostgresMigration[] = MIGRATIONS): Promise<void> {
  const version = await schemaVersion(client);
  const latest = migrations.length;
  if (version > latest) throw newerThanThisBuild(version, latest);
  if (version < latest) {
    throw new Error(`database schema version ${version}, this build needs ${latest}; start a server (or open it once read-write) to migrate`);
  }
}
