import { BlockLocks } from '../blocks/lock-at-first-open';
import type { BlockLockStore } from '../data/locks';
import type { Logger } from '../log';
import { createMetrics, type Metrics } from '../metrics/metrics';
import { RenderLog } from './render-log';
import { createRenderObserver, type ObserveRender } from './render-observer';
import type { RenderLogStore } from './render-record';

/** Where an app keeps what happened at open (issue 6), as createApp receives it. */
export interface OpenRecordingOptions {
  /** The app's store: used for the render log and locks when it keeps them and `records` is not given. */
  store: unknown;
  records?: RenderLogStore & BlockLockStore;
  /** The render log; null turns logging off (bench comparison); absent: one on the records store. */
  renderLog?: RenderLog | null;
  /** Frozen views of locked blocks; absent: one on the records store. */
  locks?: BlockLocks;
  metrics?: Metrics;
  logger: Logger;
}

export interface OpenRecording {
  /** Where the render log, clicks and locks are kept; undefined when the store keeps none (nothing is recorded). */
  records: (RenderLogStore & BlockLockStore) | undefined;
  metrics: Metrics;
  renderLog: RenderLog | undefined;
  locks: BlockLocks | undefined;
  observeRender: ObserveRender;
}

/** Does this store keep the render log and locks (SqliteStore and CachedStore do)? */
export function keepsRecords(store: unknown): store is RenderLogStore & BlockLockStore {
  const candidate = store as Partial<Record<keyof (RenderLogStore & BlockLockStore), unknown>> | null;
  return (
    typeof candidate?.recordRenders === 'function' &&
    typeof candidate.recordClicks === 'function' &&
    typeof candidate.campaignReportCounts === 'function' &&
    typeof candidate.getBlockLock === 'function' &&
    typeof candidate.insertBlockLocks === 'function'
  );
}

/**
 * The metrics, render log and locks of one app, with the defaults tests rely
 * on: given nothing, an app on a SQLite-backed store logs renders and serves
 * locks. The owner of a given RenderLog or BlockLocks closes it on shutdown;
 * the defaults made here are written by their own timers and never closed,
 * which suits tests and one-off apps, not a server (main.ts passes its own).
 */
export function openRecording(options: OpenRecordingOptions): OpenRecording {
  const records = options.records ?? (keepsRecords(options.store) ? options.store : undefined);
  const metrics = options.metrics ?? createMetrics();
  const renderLog = options.renderLog === null ? undefined : (options.renderLog ?? (records && new RenderLog(records, { logger: options.logger })));
  const locks = options.locks ?? (records && new BlockLocks(records, { logger: options.logger }));
  const observeRender = createRenderObserver({
    renderLog,
    metrics,
    onError: (error) => options.logger.warn({ err: error }, 'render not recorded'),
  });
  metrics.watch({
    queues: {
      ...(renderLog && { renders: () => renderLog.stats().renders, clicks: () => renderLog.stats().clicks }),
      ...(locks && { locks: () => ({ queued: locks.stats().pending, written: locks.stats().written, dropped: locks.stats().dropped }) }),
    },
    caches: locks ? { locks: () => locks.stats() } : {},
  });
  return { records, metrics, renderLog, locks, observeRender };
}
