import { DatabaseError, Pool, TypeOverrides, types, type PoolClient } from 'pg';
import { withoutPassword } from '../../service-unreachable';

export interface PostgresConnectionOptions {
  /**
   * Open for reading only, for tools beside a running server (`opentime
   * report`): nothing is migrated (the schema must already be current) and
   * every session is `default_transaction_read_only`, so every write fails.
   */
  readonly?: boolean;
  /** Connections in the pool, per process. Default 10: opens read by key, so a few connections serve many requests. */
  poolSize?: number;
  /** How long to wait for a connection (at start-up, or when the pool is busy) before failing, in ms. Default 5000. */
  connectionTimeoutMs?: number;
}

export const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECTION_TIMEOUT_MS = 5000;

/**
 * The database could not be reached or refused us at start-up: the server
 * is down, the host does not resolve, the password or database is wrong.
 * `url` is the URL without its password, safe to show; `reason` says what
 * failed in a few words. `openStorage` turns it into the one-line start-up
 * error that names the setting.
 */
export class PostgresUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
    options: { cause: unknown },
  ) {
    super(`PostgreSQL at ${url}: ${reason}`, options);
    this.name = 'PostgresUnreachableError';
  }
}

/**
 * bigint columns (epoch milliseconds, stock, counts) as numbers: node-postgres
 * returns int8 as a string by default, because not every int8 fits a double.
 * Ours are times in ms and counts, far below 2^53; one that is not is refused
 * loudly rather than rounded. The parser is set on this pool only
 * (TypeOverrides), not on the pg module every other user of it shares.
 */
function typeParsers(): TypeOverrides {
  const overrides = new TypeOverrides();
  overrides.setTypeParser(types.builtins.INT8, 'text', (text: string): number => {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new Error(`bigint ${text} does not fit a JavaScript number`);
    return value;
  });
  return overrides;
}

/** A pool of connections to `url` with our type parsers; connects lazily (see `checkReachable`). */
export function createPool(url: string, options: PostgresConnectionOptions = {}): Pool {
  const pool = new Pool({
    connectionString: url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    types: typeParsers(),
    application_name: 'opentime',
    // Read-only sessions refuse every write at the server (PostgreSQL manual, "default_transaction_read_only").
    ...(options.readonly ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  // An idle connection the server drops (a restart, a failover, an idle timeout) emits 'error' on
  // the pool, and an EventEmitter 'error' without a listener would end the process. The pool
  // discards that connection and opens a new one for the next query; GET /healthz (ping) reports
  // a database that stays away.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Connects once, so a database that cannot be reached fails the start-up
 * with what went wrong instead of the first open failing later.
 */
export async function connectChecked(pool: Pool, url: string): Promise<PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw new PostgresUnreachableError(withoutPassword(url), reasonOf(error), { cause: error });
  }
}

/** What failed, in a few words: the system error and address, the server's message, or the timeout. */
function reasonOf(error: unknown): string {
  if (error instanceof DatabaseError) return `the server refused the connection (${error.code ?? 'no code'}: ${error.message})`;
  const { code, address, port, hostname, message } = error as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host name does not resolve (${[code, hostname].filter(Boolean).join(' ')})`;
  if (code !== undefined) return `cannot connect (${code}${address ? ` ${address}${port ? `:${port}` : ''}` : ''})`;
  if (typeof message === 'string' && /timeout/i.test(message)) return `no answer to the connection (${message})`;
  return `cannot connect (${typeof message === 'string' ? message : String(error)})`;
}

/** SQLSTATEs after which a batch is simply run again: another transaction won a race we lost cleanly. */
const RETRYABLE_STATES: ReadonlySet<string> = new Set([
  '40P01', // deadlock_detected: PostgreSQL aborted us to break a cycle (PostgreSQL manual, "Deadlocks")
  '40001', // serialization_failure
]);

/**
 * Thrown inside a transaction when an `INSERT … ON CONFLICT DO NOTHING`
 * found that another connection created a row this batch had planned as
 * new: the plan was made on a snapshot that is now out of date, so the
 * batch rolls back and runs again, this time reading (and locking) that row.
 */
export class ConcurrentWriteConflict extends Error {
  constructor(what: string) {
    super(`another connection wrote ${what} while this batch was planned`);
    this.name = 'ConcurrentWriteConflict';
  }
}

const MAX_ATTEMPTS = 10;

/**
 * Runs `work` in one transaction (READ COMMITTED) on one connection of the
 * pool: COMMIT when it resolves, ROLLBACK when it throws, so a batch lands
 * whole or not at all. A batch that lost a race to another connection
 * (ConcurrentWriteConflict, a deadlock PostgreSQL broke by aborting it) is
 * run again from the start, at most MAX_ATTEMPTS times in all: it lost to a
 * transaction that goes on, so the batches as a whole make progress.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection itself failed: drop it from the pool instead of handing it out again.
        broken = rollbackError as Error;
      }
      if (attempt < MAX_ATTEMPTS && isRetryable(error)) continue;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof ConcurrentWriteConflict) return true;
  return error instanceof DatabaseError && error.code !== undefined && RETRYABLE_STATES.has(error.code);
}
