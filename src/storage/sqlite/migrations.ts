import type { Database } from 'better-sqlite3';

/**
 * Versioned schema migrations for the embedded SQLite storage.
 *
 * Rules for anyone adding one:
 * - append only; never edit or renumber a migration that has shipped, because
 *   existing databases have already recorded it as applied;
 * - versions are consecutive integers starting at 1;
 * - `up` runs inside a transaction together with the row that records it, so a
 *   migration is either fully applied and recorded, or not at all.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create products, subscribers, campaigns',
    up(db) {
      // STRICT tables: SQLite otherwise stores whatever type it is given, and a
      // price that arrives as the string "79.90" would sort and compare wrongly
      // for ever after. Better to fail the write loudly.
      // Lists (recent views, cart, purchases, allowed senders) are JSON text:
      // they are always read whole with their owner row, never queried into.
      db.exec(`
        CREATE TABLE products (
          id          TEXT    NOT NULL PRIMARY KEY,
          name        TEXT    NOT NULL,
          url         TEXT    NOT NULL,
          image       TEXT    NOT NULL,
          category    TEXT    NOT NULL,
          price       REAL    NOT NULL,
          sale_price  REAL,
          currency    TEXT    NOT NULL,
          stock       INTEGER NOT NULL,
          popularity  INTEGER NOT NULL,
          updated_at  TEXT    NOT NULL
        ) STRICT;

        CREATE TABLE subscribers (
          id              TEXT    NOT NULL PRIMARY KEY,
          first_name      TEXT    NOT NULL,
          locale          TEXT    NOT NULL,
          time_zone       TEXT    NOT NULL,
          currency        TEXT    NOT NULL,
          country         TEXT,
          city            TEXT,
          loyalty_points  INTEGER NOT NULL,
          loyalty_tier    TEXT,
          recent_views    TEXT    NOT NULL DEFAULT '[]',
          cart            TEXT    NOT NULL DEFAULT '[]',
          purchases       TEXT    NOT NULL DEFAULT '[]',
          updated_at      TEXT    NOT NULL
        ) STRICT;

        CREATE TABLE campaigns (
          id               TEXT NOT NULL PRIMARY KEY,
          name             TEXT NOT NULL,
          ends_at          TEXT,
          allowed_senders  TEXT NOT NULL DEFAULT '[]'
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    name: 'best-seller indexes',
    up(db) {
      // Partial indexes over in-stock rows only, in exactly the order the
      // best-seller queries ask for (popularity DESC, then id as a stable
      // tie-break). The query walks the index from its start and stops after
      // LIMIT rows, so its cost does not depend on catalogue size, and sold-out
      // rows are not even in the index. The queries must repeat `stock > 0`
      // verbatim for SQLite to prove the partial index applies.
      db.exec(`
        CREATE INDEX products_best_sellers_by_category
          ON products (category, popularity DESC, id)
          WHERE stock > 0;

        CREATE INDEX products_best_sellers
          ON products (popularity DESC, id)
          WHERE stock > 0;
      `);
    },
  },
  {
    version: 3,
    name: 'impressions: what each image render showed, for click-through',
    up(db) {
      // One row per subscriber, campaign and block: the links of the slots the
      // latest image render showed (a JSON array, slot i at index i). A click
      // redirects to exactly what the picture showed (README "Images"). Keyed lookups
      // only, so WITHOUT ROWID keeps the row inside its primary-key B-tree.
      db.exec(`
        CREATE TABLE impressions (
          subscriber_id  TEXT NOT NULL,
          campaign_id    TEXT NOT NULL,
          block_id       TEXT NOT NULL,
          urls           TEXT NOT NULL,
          rendered_at    TEXT NOT NULL,
          PRIMARY KEY (subscriber_id, campaign_id, block_id)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 4,
    name: 'ingested events and cart event times, for idempotent and order-safe event ingestion',
    up(db) {
      // ingested_events: the id of every behaviour event applied (or refused as
      // stale), written in the same transaction as its effect, so a replayed
      // webhook is acknowledged and never applied twice (webhooks are retried).
      // cart_event_times: per subscriber and product, when the latest cart
      // change (add, remove, purchase) happened at the source, so an "added"
      // delivered after a later "removed" does not put the item back.
      db.exec(`
        CREATE TABLE ingested_events (
          id             TEXT NOT NULL PRIMARY KEY,
          subscriber_id  TEXT NOT NULL,
          type           TEXT NOT NULL,
          occurred_at    TEXT NOT NULL,
          received_at    TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE cart_event_times (
          subscriber_id  TEXT NOT NULL,
          product_id     TEXT NOT NULL,
          occurred_at    TEXT NOT NULL,
          PRIMARY KEY (subscriber_id, product_id)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 5,
    name: 'render log, clicks and lock-at-first-open views',
    up(db) {
      // render_log: one row per JSON or image render, appended in batches by
      // the write-behind render log. Times are epoch ms (INTEGER): compact and
      // cheap to compare. item_ids is a JSON array, slot i at index i; it is
      // read whole, never queried into.
      //
      // One index only, on campaign_id: every open writes a row, and each
      // index costs every insert (measured: 4.6 µs a row bare, 8.3 with this
      // index, 12.4 with a (campaign, block, variant, prefetch, subscriber)
      // covering index, whose keys land at random places in the B-tree). Its
      // keys arrive in id order within a campaign, so inserts append. Reports
      // read one campaign's rows through it. Retention needs no time index:
      // rows are appended in time order, so it deletes from the lowest id up.
      //
      // clicks: one row per click on a slot of a block's picture.
      //
      // block_locks: the view each subscriber saw at their first human open of
      // a locked block, per campaign; the first insert wins (INSERT OR IGNORE).
      db.exec(`
        CREATE TABLE render_log (
          id             INTEGER PRIMARY KEY,
          rendered_at    INTEGER NOT NULL,
          campaign_id    TEXT    NOT NULL,
          block_id       TEXT    NOT NULL,
          subscriber_id  TEXT    NOT NULL,
          surface        TEXT    NOT NULL,
          client         TEXT    NOT NULL,
          prefetch       INTEGER NOT NULL,
          variant        TEXT,
          outcome        TEXT    NOT NULL,
          locked         INTEGER NOT NULL,
          item_ids       TEXT    NOT NULL
        ) STRICT;
        CREATE INDEX render_log_by_campaign ON render_log (campaign_id);

        CREATE TABLE clicks (
          id             INTEGER PRIMARY KEY,
          clicked_at     INTEGER NOT NULL,
          campaign_id    TEXT    NOT NULL,
          block_id       TEXT    NOT NULL,
          subscriber_id  TEXT    NOT NULL,
          slot           INTEGER NOT NULL,
          variant        TEXT,
          url            TEXT    NOT NULL
        ) STRICT;
        CREATE INDEX clicks_by_campaign ON clicks (campaign_id);

        CREATE TABLE block_locks (
          campaign_id      TEXT    NOT NULL,
          block_id         TEXT    NOT NULL,
          subscriber_id    TEXT    NOT NULL,
          view             TEXT    NOT NULL,
          variant          TEXT,
          message_variant  TEXT,
          locked_at        INTEGER NOT NULL,
          PRIMARY KEY (campaign_id, block_id, subscriber_id)
        ) STRICT;
        CREATE INDEX block_locks_by_time ON block_locks (locked_at);
      `);
    },
  },
  {
    version: 6,
    name: 'time indexes for pruning impressions and ingested event ids',
    up(db) {
      // Retention (recording/retention.ts) deletes the oldest rows in chunks;
      // without these each chunk would scan the whole table.
      db.exec(`
        CREATE INDEX impressions_by_time ON impressions (rendered_at);
        CREATE INDEX ingested_events_by_time ON ingested_events (received_at);
      `);
    },
  },
  {
    version: 7,
    name: 'time index for pruning cart event times',
    up(db) {
      // cart_event_times gained one row per subscriber and product ever put in
      // a cart, for ever; retention now prunes it (recording/retention.ts).
      db.exec('CREATE INDEX cart_event_times_by_time ON cart_event_times (occurred_at);');
    },
  },
  {
    version: 8,
    name: 'campaigns as data: markets, templates and the source time of each campaign',
    up(db) {
      // Campaigns are written through the API, the CLI and a config file, with
      // the same `updatedAt` ordering as products: a campaign written before
      // this migration counts as older than any update.
      db.exec(`
        ALTER TABLE campaigns ADD COLUMN markets    TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE campaigns ADD COLUMN templates  TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE campaigns ADD COLUMN updated_at TEXT NOT NULL DEFAULT '1970-01-01T00:00:00.000Z';
      `);
    },
  },
  {
    version: 9,
    name: 'products: a price per currency and the markets a product is sold in',
    up(db) {
      // prices: JSON object, currency code → { price, salePrice }, beside the
      // product's own price and currency; markets: JSON array of ISO 3166
      // country codes, empty for everywhere. Both are read whole with the row.
      db.exec(`
        ALTER TABLE products ADD COLUMN prices  TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE products ADD COLUMN markets TEXT NOT NULL DEFAULT '[]';
      `);
    },
  },  {
    version: 10,
    name: 'AMP forms: poll answers, notify-me requests and the outgoing webhook outbox',
    up(db) {
      // poll_answers: one row per campaign, poll and subscriber (the primary
      // key is what makes one vote per subscriber exact under concurrency);
      // results are a GROUP BY over the (campaign, poll, answer) index.
      // notify_requests: one row per subscriber and product; the partial
      // index finds a restocked product's waiting requests inside the
      // ingestion transaction. webhook_outbox: written by that transaction,
      // emptied by the delivery loop (forms/webhook-delivery.ts); event_id
      // is unique so a message is never queued twice.
      db.exec(`
        CREATE TABLE poll_answers (
          campaign_id    TEXT    NOT NULL,
          poll_id        TEXT    NOT NULL,
          subscriber_id  TEXT    NOT NULL,
          answer         TEXT    NOT NULL,
          answered_at    INTEGER NOT NULL,
          PRIMARY KEY (campaign_id, poll_id, subscriber_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX poll_answers_by_answer ON poll_answers (campaign_id, poll_id, answer);

        CREATE TABLE notify_requests (
          subscriber_id  TEXT    NOT NULL,
          product_id     TEXT    NOT NULL,
          campaign_id    TEXT    NOT NULL,
          requested_at   INTEGER NOT NULL,
          notified_at    INTEGER,
          PRIMARY KEY (subscriber_id, product_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX notify_requests_waiting ON notify_requests (product_id, requested_at) WHERE notified_at IS NULL;

        CREATE TABLE webhook_outbox (
          id               INTEGER PRIMARY KEY,
          event_id         TEXT    NOT NULL UNIQUE,
          type             TEXT    NOT NULL,
          body             TEXT    NOT NULL,
          created_at       INTEGER NOT NULL,
          attempts         INTEGER NOT NULL DEFAULT 0,
          next_attempt_at  INTEGER NOT NULL,
          delivered_at     INTEGER,
          gave_up_at       INTEGER,
          last_error       TEXT
        ) STRICT;
        CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL AND gave_up_at IS NULL;
      `);
    },
  },
  {
    version: 11,
    name: "render log and clicks indexed by campaign, then subscriber and time (one subscriber's timeline)",
    up(db) {
      // Still ONE index per table (each one costs every open's insert): the campaign index is
      // replaced by one that leads with the campaign, so reports read it as before, and a
      // subscriber's timeline within a campaign reads only that subscriber's rows, newest first.
      db.exec(`
        DROP INDEX render_log_by_campaign;
        CREATE INDEX render_log_by_campaign_subscriber ON render_log (campaign_id, subscriber_id, rendered_at);
        DROP INDEX clicks_by_campaign;
        CREATE INDEX clicks_by_campaign_subscriber ON clicks (campaign_id, subscriber_id, clicked_at);
      `);
    },
  },
  {
    version: 12,
    name: 'evergreen countdowns: first human opens of a campaign, and named dates on subscribers',
    up(db) {
      // One row per campaign and subscriber; the first insert wins (INSERT … ON CONFLICT DO
      // NOTHING), so every process and client agrees on when the clock started.
      // Dates are JSON text (name → ISO time), read whole with the subscriber like its lists.
      db.exec(`
        CREATE TABLE first_opens (
          campaign_id    TEXT    NOT NULL,
          subscriber_id  TEXT    NOT NULL,
          opened_at      INTEGER NOT NULL,
          PRIMARY KEY (campaign_id, subscriber_id)
        ) STRICT;
        ALTER TABLE subscribers ADD COLUMN dates TEXT NOT NULL DEFAULT '{}';
      `);
    },
  },
  {
    version: 13,
    name: 'orders with their attribution, and the render log and clicks by subscriber for attributing them',
    up(db) {
      // orders: one row per order id (the primary key makes a replayed order a no-op), the
      // total in the currency's minor units (never a float), lines as JSON read whole, and the
      // two touches found when the order arrived (docs/ARCHITECTURE.md, "Conversions"): the
      // last click and the last human open within the window, each campaign, block, arm, time.
      // Reports read one campaign's orders through the partial indexes.
      //
      // The render log's second index is partial: only human renders (prefetch = 0) pay for it,
      // so an Apple Mail Privacy Protection wave inserts as before. Clicks are rare.
      db.exec(`
        CREATE TABLE orders (
          order_id           TEXT    NOT NULL PRIMARY KEY,
          subscriber_id      TEXT,
          anonymous_id       TEXT,
          occurred_at        INTEGER NOT NULL,
          received_at        INTEGER NOT NULL,
          currency           TEXT    NOT NULL,
          total_minor        INTEGER NOT NULL,
          lines              TEXT    NOT NULL,
          click_campaign_id  TEXT,
          click_block_id     TEXT,
          click_variant      TEXT,
          click_at           INTEGER,
          open_campaign_id   TEXT,
          open_block_id      TEXT,
          open_variant       TEXT,
          open_at            INTEGER
        ) STRICT;
        CREATE INDEX orders_by_click_campaign ON orders (click_campaign_id) WHERE click_campaign_id IS NOT NULL;
        CREATE INDEX orders_by_open_campaign ON orders (open_campaign_id) WHERE open_campaign_id IS NOT NULL;
        CREATE INDEX orders_by_time ON orders (received_at);
        CREATE INDEX render_log_human_by_subscriber ON render_log (subscriber_id, rendered_at) WHERE prefetch = 0;
        CREATE INDEX clicks_by_subscriber ON clicks (subscriber_id, clicked_at);
      `);
    },
  },
  {
    version: 14,
    name: 'triggered sends: the durable job queue of due messages',
    up(db) {
      // One row per (trigger, event): the id is the message's idempotency key, so a replayed
      // event enqueues nothing twice. At most one pending job per dedupe key (partial unique
      // index). The worker claims due pending rows by pushing run_at ahead (a lease) in an
      // IMMEDIATE transaction (docs/ARCHITECTURE.md, "Triggered sends").
      db.exec(`
        CREATE TABLE trigger_jobs (
          id             TEXT    NOT NULL PRIMARY KEY,
          trigger_id     TEXT    NOT NULL,
          subscriber_id  TEXT    NOT NULL,
          product_id     TEXT,
          campaign_id    TEXT    NOT NULL,
          template       TEXT    NOT NULL,
          dedupe_key     TEXT    NOT NULL,
          state          TEXT    NOT NULL,
          source_at      INTEGER NOT NULL,
          run_at         INTEGER NOT NULL,
          attempts       INTEGER NOT NULL DEFAULT 0,
          created_at     INTEGER NOT NULL,
          settled_at     INTEGER,
          outcome        TEXT,
          last_error     TEXT,
          message        TEXT
        ) STRICT;
        CREATE UNIQUE INDEX trigger_jobs_one_pending ON trigger_jobs (dedupe_key) WHERE state = 'pending';
        CREATE INDEX trigger_jobs_due ON trigger_jobs (run_at, id) WHERE state = 'pending';
        CREATE INDEX trigger_jobs_by_subscriber ON trigger_jobs (subscriber_id, trigger_id, settled_at);
        CREATE INDEX trigger_jobs_by_state ON trigger_jobs (state, settled_at);
      `);
    },
  },
  {
    version: 15,
    name: 'identity: anonymous ids linked to subscribers, their kept events, and when views and purchases happened',
    up(db) {
      // identity_links: one row per anonymous id, the first link wins (PRIMARY KEY).
      // anonymous_events: events of anonymous ids not linked yet, whole, until an identify
      // merges them (then they move to ingested_events under the subscriber).
      // profile_entry_times: when each product of a profile's views and purchases was last
      // viewed or bought, so an anonymous history merges in time order
      // (docs/ARCHITECTURE.md, "Identity").
      db.exec(`
        CREATE TABLE identity_links (
          anonymous_id   TEXT NOT NULL PRIMARY KEY,
          subscriber_id  TEXT NOT NULL,
          linked_at      TEXT NOT NULL,
          event_id       TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX identity_links_by_subscriber ON identity_links (subscriber_id);

        CREATE TABLE anonymous_events (
          id             TEXT NOT NULL PRIMARY KEY,
          anonymous_id   TEXT NOT NULL,
          occurred_at    TEXT NOT NULL,
          received_at    TEXT NOT NULL,
          event          TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX anonymous_events_by_anonymous_id ON anonymous_events (anonymous_id);

        CREATE TABLE profile_entry_times (
          subscriber_id  TEXT NOT NULL,
          list           TEXT NOT NULL,
          product_id     TEXT NOT NULL,
          occurred_at    TEXT NOT NULL,
          PRIMARY KEY (subscriber_id, list, product_id)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 16,
    name: 'identity retention: kept anonymous events by arrival, view and purchase times by when they happened',
    up(db) {
      // Retention walks these oldest first (recording/retention.ts): an anonymous id nobody
      // identifies within the window loses its kept events, as event ids are forgotten.
      db.exec(`
        CREATE INDEX anonymous_events_by_time ON anonymous_events (received_at);
        CREATE INDEX profile_entry_times_by_time ON profile_entry_times (occurred_at);
      `);
    },
  },
  {
    version: 17,
    name: 'subscribers gain latitude and longitude: where the profile places them, for the weather of an open whose address is a proxy',
    up(db) {
      // Null for every stored subscriber: no coordinates until the API sends some (README "Location and weather at open").
      db.exec(`
        ALTER TABLE subscribers ADD COLUMN latitude REAL;
        ALTER TABLE subscribers ADD COLUMN longitude REAL;
      `);
    },
  },
  {
    version: 18,
    name: 'orders awaiting an identify: the anonymous orders of one anonymous id, found when it is linked',
    up(db) {
      // Partial: only orders not yet credited to a subscriber are in it, so it stays small.
      db.exec('CREATE INDEX orders_awaiting_identity ON orders (anonymous_id) WHERE subscriber_id IS NULL;');
    },
  },
];

export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

export interface MigrationResult {
  /** Schema version found before migrating (0 for a new database). */
  readonly from: number;
  /** Schema version after migrating. */
  readonly to: number;
  /** Versions applied by this call, in order. */
  readonly applied: readonly number[];
}

function assertWellFormed(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(
        `migrations must be numbered 1, 2, 3… in order; entry ${i} ("${m.name}") has version ${m.version}`,
      );
    }
  });
}

function ensureMigrationsTable(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version     INTEGER NOT NULL PRIMARY KEY,
      name        TEXT    NOT NULL,
      applied_at  TEXT    NOT NULL
    ) STRICT
  `);
}

function hasMigrationsTable(db: Database): boolean {
  const row = db
    .prepare("SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  return row !== undefined;
}

/** The highest applied migration version, or 0 for a database never migrated. */
export function schemaVersion(db: Database): number {
  if (!hasMigrationsTable(db)) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as
    | { version: number | null }
    | undefined;
  return row?.version ?? 0;
}

/**
 * Brings the database up to the newest schema. Safe to call on every start:
 * already-applied versions are skipped.
 *
 * Each migration runs in an IMMEDIATE transaction that first re-reads the
 * version: if two processes start on the same file at once, the second waits
 * on the write lock (busy_timeout) and then finds the work already done,
 * instead of failing on "table already exists".
 *
 * Refuses a database whose schema is newer than this code knows: running old
 * code against it could silently misread or corrupt data.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  assertWellFormed(migrations);
  ensureMigrationsTable(db);
  const latest = migrations.length;
  const from = schemaVersion(db);
  if (from > latest) {
    throw new Error(
      `database schema version ${from} is newer than this build supports (${latest}); ` +
        'upgrade Opentime or point it at another database file',
    );
  }

  const readVersion = db.prepare('SELECT MAX(version) AS version FROM schema_migrations');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];

  for (const migration of migrations) {
    if (migration.version <= from) continue;
    const apply = db.transaction(() => {
      const current = (readVersion.get() as { version: number | null }).version ?? 0;
      if (current >= migration.version) return false; // another process got there first
      migration.up(db);
      record.run(migration.version, migration.name, new Date().toISOString());
      return true;
    });
    if (apply.immediate()) applied.push(migration.version);
  }

  return { from, to: schemaVersion(db), applied };
}
