import type { Config } from '../config';
import type { CatalogueChanges } from '../scale-out/catalogue-changes';
import { withCatalogueCache } from './cache/with-catalogue-cache';
import { openSqliteStorage } from './sqlite/sqlite-storage';
import type { Storage } from './storage';

export interface OpenStorageOptions {
  /**
   * Open without write access, for tools that only read beside a running
   * server (`opentime report`, the email command's recipient check): nothing
   * is created or migrated, and every write fails.
   */
  readonly?: boolean;
  /**
   * How this process and the others on the same database tell each other
   * what their writes made stale (scale-out/); the storage closes it.
   * None: other processes see a write when their cached copies expire.
   */
  changes?: CatalogueChanges;
}

/**
 * The one way the server, every command and every script opens the
 * database: today the SQLite file of the data directory (OPENTIME_DATA_DIR),
 * with the catalogue cache in front (OPENTIME_FRESHNESS_MS). A networked
 * database is chosen here too, from its URL, once it exists
 * (docs/ARCHITECTURE.md, "Adding a database").
 */
export async function openStorage(config: Pick<Config, 'databaseFile' | 'freshnessMs'>, options: OpenStorageOptions = {}): Promise<Storage> {
  const database = openSqliteStorage(config.databaseFile, { readonly: options.readonly });
  return withCatalogueCache(database, { freshnessMs: config.freshnessMs, changes: options.changes });
}
