import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, migrate, schemaVersion } from './migrations';

export interface SqliteConnectionOptions {
  /**
   * Open without write access: no migrations are run (the schema must already
   * be current) and every write fails. For tools that only read.
   */
  readonly?: boolean;
  /** How long to wait for another connection's write lock, in ms. Default 5000. */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed, unless read-only) the database at `file` and
 * migrates it to the current schema. `':memory:'` gives a private in-memory
 * database (it cannot use WAL; SQLite keeps its journal in memory), which
 * no second connection can share.
 */
export function openSqliteConnection(file: string, options: SqliteConnectionOptions = {}): Database {
  const readonly = options.readonly ?? false;
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory && !readonly) createPrivateFile(file);
  const db = new BetterSqlite3(file, { readonly, fileMustExist: readonly });
  try {
    configure(db, { readonly, inMemory, busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
    if (readonly) {
      // Cannot migrate without write access; refuse rather than fail later on
      // a missing column in the middle of an open.
      const version = schemaVersion(db);
      if (version !== LATEST_SCHEMA_VERSION) {
        throw new Error(`${file}: schema version ${version}, this build needs ${LATEST_SCHEMA_VERSION}; open it once read-write to migrate`);
      }
    } else {
      migrate(db);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Creates the database file (and its directory) readable by this user only:
 * it holds subscribers' profiles, carts and purchases, as private as the
 * signing keys beside it (0600). SQLite gives the -wal and -shm files the
 * mode of the database file, so they are private too. An existing file keeps
 * its mode, and an existing directory is left as it is.
 */
function createPrivateFile(file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  // "a" creates a missing file and never truncates; the mode applies only on creation.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
}

function configure(db: Database, opts: { readonly: boolean; inMemory: boolean; busyTimeoutMs: number }): void {
  // Wait for another connection's lock instead of failing at once with
  // SQLITE_BUSY (the CLI importer and the server may share the file).
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs))}`);
  if (!opts.readonly && !opts.inMemory) {
    // WAL: readers (every email open) never block on the writer (ingestion),
    // and the writer never blocks readers. The mode is stored in the file.
    const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
    if (mode.toLowerCase() !== 'wal') {
      throw new Error(`could not switch the database to WAL journal mode (got "${mode}")`);
    }
  }
  // FULL, not NORMAL: in WAL mode NORMAL skips the fsync at commit, so a
  // committed transaction survives a process crash but can be lost on power
  // failure or OS crash. Ingestion acknowledges writes to its callers (stock,
  // prices, carts); an acknowledged write must not vanish. Commits here are
  // batched and rare next to reads, and reads never fsync, so FULL costs opens
  // nothing.
  db.pragma('synchronous = FULL');
}
