import { Redis } from 'ioredis';
import type { Logger } from '../log';
import { ServiceUnreachableError, withoutPassword } from '../service-unreachable';

export interface RedisConnectionOptions {
  /** What this connection is for, in log lines and errors ("catalogue changes", "impressions"). */
  purpose: string;
  logger?: Pick<Logger, 'warn'>;
  /** Longest one command may take before it fails (ms); a subscriber connection has none. */
  commandTimeoutMs?: number;
}

/** Longest a start-up waits for Redis before it stops with a one-line error. */
const CONNECT_TIMEOUT_MS = 5000;
/** At most one warning per this long per connection while Redis is unreachable. */
const WARN_EVERY_MS = 10_000;

/**
 * One connection to the Redis that OPENTIME_REDIS_URL names, connected
 * before it is returned, so a wrong URL stops start-up instead of failing
 * every open. Afterwards it reconnects by itself (ioredis), and commands
 * fail at once while it is away instead of queueing in memory: whatever
 * Opentime keeps in Redis has a slower path through the database
 * (docs/ARCHITECTURE.md, "Scale-out").
 */
export async function connectRedis(url: string, options: RedisConnectionOptions): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs,
    // Reconnect soon, but not in a tight loop while Redis is down.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let lastWarning = 0;
  let connected = false;
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
    // Before the first connection the failure is start-up's to report, once.
    if (!connected) return;
    const now = Date.now();
    if (now - lastWarning < WARN_EVERY_MS) return;
    lastWarning = now;
    options.logger?.warn({ err: error.message, redis: withoutPassword(url), purpose: options.purpose }, 'Redis unreachable; using the database alone until it is back');
  });
  try {
    await client.connect();
    connected = true;
  } catch (error) {
    client.disconnect();
    // ioredis rejects with "Connection is closed."; the socket's own error says why.
    const reason = (lastError ?? (error as Error)).message;
    throw new ServiceUnreachableError(`OPENTIME_REDIS_URL=${withoutPassword(url)}: cannot connect (${reason}); expected a Redis server that answers there, for ${options.purpose}`);
  }
  return client;
}
