import type { BlockLockStore } from '../data/locks';
import type { Logger } from '../log';
import type { RenderLogStore } from './render-record';

export interface RetentionOptions {
  /** Render-log rows and clicks older than this many days are deleted; 0 keeps them for ever. */
  retentionDays: number;
  /** How often to prune (default hourly). */
  intervalMs?: number;
  /** Rows per delete statement (default 5000): short write locks, opens keep flowing in between. */
  chunkSize?: number;
  now?: () => Date;
  logger?: Pick<Logger, 'info' | 'error'>;
}

/**
 * Locks are kept at least this long whatever the log retention: Gmail shows
 * the AMP part for 30 days and a token lives 31, so a lock pruned sooner
 * could re-lock a subscriber to different content while their email is
 * still readable.
 */
export const MIN_LOCK_RETENTION_DAYS = 32;

const DAY_MS = 86_400_000;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Deletes what retention no longer covers, in chunks; resolves to the number of rows deleted. */
export async function pruneExpired(store: Pick<RenderLogStore, 'pruneRenderLog'> & Pick<BlockLockStore, 'pruneBlockLocks'>, options: RetentionOptions): Promise<number> {
  if (options.retentionDays <= 0) return 0;
  const now = (options.now ?? (() => new Date()))().getTime();
  const chunk = Math.max(1, options.chunkSize ?? 5000);
  const logBefore = new Date(now - options.retentionDays * DAY_MS);
  const lockBefore = new Date(now - Math.max(options.retentionDays, MIN_LOCK_RETENTION_DAYS) * DAY_MS);
  let total = 0;
  for (;;) {
    const deleted = await store.pruneRenderLog(logBefore, chunk);
    total += deleted;
    if (deleted === 0) break;
    await nextTurn();
  }
  for (;;) {
    const deleted = await store.pruneBlockLocks(lockBefore, chunk);
    total += deleted;
    if (deleted === 0) break;
    await nextTurn();
  }
  return total;
}

/** Prunes now and then every `intervalMs`; returns a stop function. The timer does not keep the process alive. */
export function startRetention(store: Pick<RenderLogStore, 'pruneRenderLog'> & Pick<BlockLockStore, 'pruneBlockLocks'>, options: RetentionOptions): () => void {
  if (options.retentionDays <= 0) return () => {};
  let running: Promise<void> | undefined;
  const run = (): void => {
    if (running) return;
    running = pruneExpired(store, options)
      .then((deleted) => {
        if (deleted > 0) options.logger?.info({ deleted, retentionDays: options.retentionDays }, 'render log pruned');
      })
      .catch((error: unknown) => options.logger?.error({ err: error }, 'pruning the render log failed; retrying at the next interval'))
      .finally(() => {
        running = undefined;
      });
  };
  run();
  const timer = setInterval(run, options.intervalMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
