import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../log';
import type { RetentionStore } from '../storage/ports/retention';

export interface RetentionOptions {
  /** Render-log rows and clicks older than this many days are deleted (locks, impressions, event ids and cart change times after at least MIN_LOCK_RETENTION_DAYS, settled webhooks after at least SETTLED_WEBHOOK_RETENTION_DAYS); 0 keeps everything for ever. */
  retentionDays: number;
  /** How often to prune (default hourly). */
  intervalMs?: number;
  /** Rows per delete statement (default 5000): short write locks, opens keep flowing in between. */
  chunkSize?: number;
  now?: () => Date;
  logger?: Pick<Logger, 'info' | 'error'>;
}

/**
 * Locks, impressions and event ids are kept at least this long whatever the
 * log retention: Gmail shows the AMP part for 30 days and a token lives 31.
 * A lock pruned sooner could re-lock a subscriber to different content, and
 * a pruned impression would send a click to what the block shows at the
 * click rather than what the picture showed, while their email is still
 * readable; a webhook is retried for days, not a month.
 */
export const MIN_LOCK_RETENTION_DAYS = 32;

/**
 * Outgoing webhooks delivered or given up are kept this long after they
 * settled (or the log retention, if longer): long enough to answer a
 * receiver asking about a delivery id it saw, while the outbox does not grow
 * with every restock for ever. A message still being retried is never pruned.
 */
export const SETTLED_WEBHOOK_RETENTION_DAYS = 30;

const DAY_MS = 86_400_000;

/** Deletes what retention no longer covers, in chunks; resolves to the number of rows deleted. */
export async function pruneExpired(store: RetentionStore, options: RetentionOptions): Promise<number> {
  if (options.retentionDays <= 0) return 0;
  const now = (options.now ?? (() => new Date()))().getTime();
  const chunk = Math.max(1, options.chunkSize ?? 5000);
  const logBefore = new Date(now - options.retentionDays * DAY_MS);
  const keptBefore = new Date(now - Math.max(options.retentionDays, MIN_LOCK_RETENTION_DAYS) * DAY_MS);
  const webhooksBefore = new Date(now - Math.max(options.retentionDays, SETTLED_WEBHOOK_RETENTION_DAYS) * DAY_MS);
  const prunes: (() => Promise<number>)[] = [
    () => store.pruneRenders(logBefore, chunk),
    () => store.pruneClicks(logBefore, chunk),
    () => store.pruneBlockLocks(keptBefore, chunk),
    () => store.pruneImpressions(keptBefore, chunk),
    () => store.pruneIngestedEvents(keptBefore, chunk),
    () => store.pruneCartEventTimes(keptBefore, chunk),
    () => store.pruneAnonymousEvents(keptBefore, chunk),
    () => store.pruneProfileEntryTimes(keptBefore, chunk),
    () => store.pruneSettledWebhooks(webhooksBefore, chunk),
  ];
  let total = 0;
  for (const prune of prunes) {
    for (;;) {
      const deleted = await prune();
      total += deleted;
      if (deleted === 0) break;
      await nextTurn();
    }
  }
  return total;
}

/** Prunes now and then every `intervalMs`; returns a stop function. The timer does not keep the process alive. */
export function startRetention(store: RetentionStore, options: RetentionOptions): () => void {
  if (options.retentionDays <= 0) return () => {};
  let running: Promise<void> | undefined;
  const run = (): void => {
    if (running) return;
    running = pruneExpired(store, options)
      .then((deleted) => {
        if (deleted > 0) options.logger?.info({ deleted, retentionDays: options.retentionDays }, 'expired records pruned');
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
