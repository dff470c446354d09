import type { Config } from '../config';
import { ServiceUnreachableError } from '../service-unreachable';
import type { CatalogueChanges } from '../scale-out/catalogue-changes';
import { withCatalogueCache } from './cache/with-catalogue-cache';
import { PostgresUnreachableError } from './postgres/connection';
import { openPostgresStorage } from './postgres/postgres-storage';
import { openSqliteStorage } from './sqlite/sqlite-storage';
import type { Storage } from './storage';

export interface OpenStorageOptions {
  /**
   * Open without write access, for tools that only read beside a running
   * server (`opentime report`, the email command's recipient check): nothing
   * is created or migrated, and every write fails. SQLite opens the file
   * read-only; PostgreSQL connects as usual but runs no migration (the
   * schema must already be this build's) and opens every session
   * `default_transaction_read_only`.
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
 * The database named by OPENTIME_DATABASE_URL could not be reached at
 * start-up, or refused us. Its message is one line naming the setting (the
 * URL without its password) and what failed; src/startup-failure.ts prints
 * it as it is.
 */
export class DatabaseUnreachableError extends ServiceUnreachableError {
  override name = 'DatabaseUnreachableError';
}

/**
 * The one way the server, every command and every script opens the
 * database: PostgreSQL when OPENTIME_DATABASE_URL is set (every node of a
 * deployment shares it), otherwise the SQLite file of the data directory
 * (OPENTIME_DATA_DIR); either way with the catalogue cache in front
 * (OPENTIME_FRESHNESS_MS). docs/ARCHITECTURE.md, "Storage".
 */
export async function openStorage(
  config: Pick<Config, 'databaseFile' | 'databaseUrl' | 'freshnessMs'> & Partial<Pick<Config, 'databasePoolSize'>>,
  options: OpenStorageOptions = {},
): Promise<Storage> {
  const database =
    config.databaseUrl === undefined
      ? openSqliteStorage(config.databaseFile, { readonly: options.readonly })
      : await openPostgres(config.databaseUrl, config.databasePoolSize, options);
  return withCatalogueCache(database, { freshnessMs: config.freshnessMs, changes: options.changes });
}

async function openPostgres(url: string, poolSize: number | undefined, options: OpenStorageOptions): Promise<Storage> {
  try {
    return await openPostgresStorage(url, { readonly: options.readonly, poolSize });
  } catch (error) {
    if (!(error instanceof PostgresUnreachableError)) throw error;
    throw new DatabaseUnreachableError(
      `OPENTIME_DATABASE_URL="${error.url}": ${error.reason}; expected a PostgreSQL server that is up and accepts this user, password and database`,
      { cause: error },
    );
  }
}
