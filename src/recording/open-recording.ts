import type { Logger } from '../log';
import { createMetrics, type Metrics } from '../metrics/metrics';
import type { Storage } from '../storage/storage';
import { BlockLocks } from './block-locks';
import { FirstOpens } from './first-opens';
import { RenderLog } from './render-log';
import { createRenderObserver, type ObserveRender } from './render-observer';

/** Where an app keeps what happened at open, as createApp receives it. */
export interface OpenRecordingOptions {
  /** Where the render log, clicks and locks are written. */
  storage: Pick<Storage, 'renderLog' | 'locks' | 'firstOpens'>;
  /** The render log; null turns logging off (bench comparison); absent: one on `storage`. */
  renderLog?: RenderLog | null;
  /** Frozen views of locked blocks; absent: one on `storage`. */
  locks?: BlockLocks;
  metrics?: Metrics;
  logger: Logger;
}

export interface OpenRecording {
  metrics: Metrics;
  renderLog: RenderLog | undefined;
  locks: BlockLocks;
  /** First human opens (evergreen countdowns): claims are awaited, so there is nothing to close. */
  firstOpens: FirstOpens;
  observeRender: ObserveRender;
}

/**
 * The metrics, render log and locks of one app, with the defaults tests rely
 * on: given nothing, an app logs renders and serves locks on its storage.
 * The owner of a given RenderLog or BlockLocks closes it on shutdown; the
 * defaults made here are written by their own timers and never closed,
 * which suits tests and one-off apps, not a server (main.ts passes its own).
 */
export function openRecording(options: OpenRecordingOptions): OpenRecording {
  const metrics = options.metrics ?? createMetrics();
  const renderLog = options.renderLog === null ? undefined : (options.renderLog ?? new RenderLog(options.storage.renderLog, { logger: options.logger }));
  const locks = options.locks ?? new BlockLocks(options.storage.locks, { logger: options.logger });
  const observeRender = createRenderObserver({
    renderLog,
    metrics,
    onError: (error) => options.logger.warn({ err: error }, 'render not recorded'),
  });
  metrics.watch({
    queues: {
      ...(renderLog && { renders: () => renderLog.stats().renders, clicks: () => renderLog.stats().clicks }),
      locks: () => ({ queued: locks.stats().pending, written: locks.stats().written, dropped: locks.stats().dropped }),
    },
    caches: { locks: () => locks.stats() },
  });
  return { metrics, renderLog, locks, firstOpens: new FirstOpens(options.storage.firstOpens), observeRender };
}
